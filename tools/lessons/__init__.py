"""Lesson sources (Markdown with cell markers) and the script that turns them into notebooks."""
