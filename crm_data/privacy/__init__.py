"""Personal-data rights: export everything held about a person, and erase them."""
