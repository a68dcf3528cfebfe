"""Package-wide helpers that register nothing: distributed primitives
(:mod:`.dist`) and random-generator state (:mod:`.rng`)."""
