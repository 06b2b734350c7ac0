"""Data derived from the index beside each generation (:mod:`.datafile`): suggestions (:mod:`.suggest`), spelling
tables (:mod:`.spelling`), near-duplicate groups (:mod:`.dups`), and new dictionary words (:mod:`.newwords`)."""
