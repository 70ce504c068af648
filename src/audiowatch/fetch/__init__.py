"""Fetching pages from the site: one Fetcher interface, a browser and an http implementation."""
