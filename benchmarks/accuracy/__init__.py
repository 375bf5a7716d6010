"""The accuracy benchmark: generated filings with known answers, read by the production path.

How to run it::

    jixiao bench --accuracy --split tune                 # the part you may look at and tune on
    jixiao bench --accuracy --split tune --misses m.json # what each tune filing missed or added
    jixiao bench --accuracy --split heldout              # the predictor of unseen portals: numbers only
    jixiao bench --accuracy --formats docx,html --filings 24 --json
    jixiao bench                                         # speed and accuracy; writes benchmarks/RESULTS.md

Only ever look at and tune on ``tune``. ``heldout`` filings are drawn from variants (label
wordings, layouts, phrasings) kept out of tuning; read its numbers as a measurement, never its
filings, misses or variant lists (``variants.py`` documents the split rule).

Pieces: ``truth`` (the known answers), ``model`` (consistent figures from a seed number),
``plants`` (one broken rule per planted filing, each with a clean twin), ``variants`` (every
dimension of variation as data, tagged tune/heldout), ``layout`` (figures → printed cells and
sentences, recording the truth as it writes), ``nonreports`` (budget / final-accounts
disclosures, a notice with a blank template, a tender notice), ``generator`` (the corpus,
rendered with ``jixiao.samples`` and cached in ``benchmarks/accuracy-corpus/`` by generator
version), ``score`` (``pipeline.process.process_filing`` on each filing folder, as
``jixiao ingest --filing-per-folder`` builds it), ``run`` and ``report`` (the CLI and
RESULTS.md / README sections).
"""
