"""The top of the house: the ``zhsearch`` command line over the indexer, the search engine and the web app.

``zhsearch.cli`` holds the one Click group; it only calls the public functions of :mod:`indexer`, :mod:`search`
and :mod:`web`, which know nothing of it.
"""
