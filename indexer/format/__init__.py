"""The on-disk format of a segment, encoded and decoded here only: posting blocks (:mod:`.layout`, written by
:mod:`.write` and :mod:`.postingblocks`, read by :mod:`.read` and :mod:`.blocks`), the term dictionary
(:mod:`.termdict`, :mod:`.termdict_read`, :mod:`.termsreader`), stored fields (:mod:`.storedblocks`) and the memory-mapped storage
(:mod:`.mmapstore`). The writer, the merge and the query engine all go through this package; the codec classes
that Whoosh pickles stay in :mod:`indexer.codec`.
"""
