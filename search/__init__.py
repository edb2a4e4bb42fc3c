"""Search over job aids (Whoosh). Never imports Qt."""
