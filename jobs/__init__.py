"""Scheduled jobs, run by `fairmatch scheduler` in their own process."""
