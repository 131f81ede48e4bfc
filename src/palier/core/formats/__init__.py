"""Date and number formats that replace Django's for a language (FORMAT_MODULE_PATH)."""
