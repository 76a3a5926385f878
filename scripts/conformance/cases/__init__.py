"""One module per fixture file: each defines `build()` returning its Catalog, and `OPS` (op key -> PyTorch callable)."""
