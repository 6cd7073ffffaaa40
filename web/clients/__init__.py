"""Coach pages about clients: the record, skills, safety limits and consent, the profile."""
