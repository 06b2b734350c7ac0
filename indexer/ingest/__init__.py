"""Reading the source files: the loaders (:mod:`.loaders`), what changed since the last run (:mod:`.reading`,
:mod:`.filestate`), what is done about bad articles (:mod:`.hygiene`), a run's state and summary
(:mod:`.runstate`, :mod:`.summary`)."""
