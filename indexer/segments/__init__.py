"""Writing segments: documents as arrays (:mod:`.chunkarrays`, :mod:`.documents`), the array writer of full builds
(:mod:`.fastbuild`), the incremental writer (:mod:`.segmentwriter`), block merges (:mod:`.merge`) and the tiered
merge policy (:mod:`.mergepolicy`)."""
