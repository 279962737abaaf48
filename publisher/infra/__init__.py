"""Infrastructure below every stage: the cache store, the heap, the build's clock."""
