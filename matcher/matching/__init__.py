"""Matching: ranking vacancies for clients (and clients for vacancies) over ESCO skills."""
