"""Keeping team libraries in step over WebDAV or a shared folder. Never imports Qt."""
