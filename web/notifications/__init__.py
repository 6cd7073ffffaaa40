"""Each user's notifications, and the unread count in the header."""
