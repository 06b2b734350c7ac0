"""``python -m indexer reindex ...`` runs the zhsearch command line."""

from indexer.cli import main

if __name__ == "__main__":
    main()
