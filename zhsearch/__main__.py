"""``python -m zhsearch reindex ...`` runs the zhsearch command line."""

from zhsearch.cli import main

if __name__ == "__main__":
    main()
