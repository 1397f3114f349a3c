"""The reference registry: the offline build from raw public files, and the data it ships.

``shipped`` holds what the online registry reads (the ``Reference`` value and the two shipped CSV
files); ``build`` and its ``builder``, ``sources_*`` and ``sector`` modules run only when
``daylight reference build`` rebuilds that data from ``shared/data``.
"""
