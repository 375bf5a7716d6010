"""The pipeline as plain Python: what every one-shot command runs, and what ``flows/`` wraps.

``process`` runs extract -> map -> check for one filing (in isolated child processes);
``load`` is the one process-and-load loop and the one writer run; ``crawl`` feeds it from
the portals, ``local`` from files and ``archive`` from the raw store. Nothing here imports
Prefect: a command answers in seconds without a server.
"""
