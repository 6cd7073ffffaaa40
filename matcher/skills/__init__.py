"""ESCO: import, multilingual label index, search, text → skills."""
