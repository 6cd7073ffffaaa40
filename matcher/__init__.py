"""Fairmatch domain: ESCO, employers, profiles, vacancies and matching. Never imports Flask."""
