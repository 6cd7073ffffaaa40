"""The work done when nobody clicks: plain functions of a session and a clock (no APScheduler)."""
