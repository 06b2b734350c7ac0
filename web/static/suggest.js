// Suggestions for the search box: debounced requests to /api/suggest, stale ones aborted,
// a listbox driven by ↑ ↓ Enter Esc and the mouse. The page works without this file.
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;

  function init(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var form = input.form;
    if (!list || !form || !window.fetch || !window.AbortController) return;
    var endpoint = input.getAttribute("data-suggest");
    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;
    var typed = input.value;
    var lastAsked = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      for (var i = 0; i < list.children.length; i++) {
        list.children[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0) {
        var li = list.children[index];
        input.setAttribute("aria-activedescendant", li.id);
        input.value = items[index].text;
        if (li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
        input.value = typed;
      }
    }

    function choose(index) {
      input.value = items[index].text;
      close();
      form.submit();
    }

    function render(suggestions) {
      list.textContent = "";
      items = suggestions;
      active = -1;
      if (!suggestions.length) {
        close();
        return;
      }
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = "suggestion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.kind = s.kind;
        var text = document.createElement("span");
        text.className = "text";
        text.textContent = s.text;
        li.appendChild(text);
        if (s.kind === "title") {
          var kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = "标题";
          li.appendChild(kind);
        }
        // mousedown, not click: it fires before the input loses focus.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        li.addEventListener("mousemove", function () {
          if (active !== i) {
            active = i;
            for (var j = 0; j < list.children.length; j++) {
              list.children[j].setAttribute("aria-selected", j === i ? "true" : "false");
            }
          }
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function ask(prefix) {
      if (controller) controller.abort();
      if (!prefix.trim()) {
        lastAsked = null;
        close();
        return;
      }
      if (prefix === lastAsked && items.length) {
        list.hidden = false;
        return;
      }
      controller = new AbortController();
      var mine = controller;
      fetch(endpoint + "?q=" + encodeURIComponent(prefix), {
        signal: mine.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (mine !== controller || input.value !== prefix) return; // a newer request owns the list
          lastAsked = prefix;
          render(data.suggestions || []);
        })
        .catch(function () {
          /* aborted or offline: the search box still works */
        });
    }

    input.addEventListener("input", function () {
      typed = input.value;
      clearTimeout(timer);
      timer = setTimeout(function () {
        ask(typed);
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing || event.keyCode === 229) return; // IME candidate selection, not ours
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        if (!open) {
          ask(input.value);
          return;
        }
        event.preventDefault();
        highlight(active + 1 >= items.length ? -1 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active - 1 < -1 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          input.value = typed;
          close();
        }
      }
    });

    input.addEventListener("blur", function () {
      clearTimeout(timer);
      if (controller) controller.abort();
      close();
    });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-suggest]");
    for (var i = 0; i < inputs.length; i++) init(inputs[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
