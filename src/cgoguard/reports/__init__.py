"""Formatters. They render what the scan produced and never decide pass or fail."""
