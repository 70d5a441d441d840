"""The reliability harness shared by the tests, the fuzz targets and the figure tools.

Not public API: a documented internal hook, so that ``tests/reliability``, ``fuzz/`` and
``tools/reliability_figures.py`` import one table of kernels (:mod:`.reliability_kernels`) and
one set of checks (:mod:`.reliability_checks`) as a package module, instead of putting
``tests/`` on ``sys.path``.  Some checks need a source checkout (the ``fuzz/`` folder).
"""
