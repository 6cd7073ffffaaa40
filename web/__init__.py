"""Fairmatch web application: Flask app factory, one blueprint per role, and the command line."""
