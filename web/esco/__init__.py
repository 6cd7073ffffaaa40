"""The ESCO explorer and its type-ahead API."""
