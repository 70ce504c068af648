"""Notification channels, message rendering and outbox delivery."""
