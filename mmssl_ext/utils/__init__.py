"""Package-wide helpers that register nothing: distributed primitives
(:mod:`.dist`), random-generator state (:mod:`.rng`) and the MMSelfSup 0.x
runtime-key check (:mod:`.legacy_config`)."""
