"""Decision support: one recommender for the screens and the simulator, a pure function of a
situation (the live picture's, or the simulator's), the travel model and a demand forecast.

* ``situation`` — what the recommender sees: units, waiting calls, the time (from a picture);
* ``grid`` — demand points on the H3 grid (resolution 7) and the BCU each belongs to;
* ``forecast`` — expected I-grade incidents per point and hour (seasonal, from the log; a
  prior when the log is short) and its back-test against a naive forecast;
* ``cover`` — expected I-grade cover within the target (MEXCLP), per BCU;
* ``assign`` — units ranked for a waiting call by ETA and the cover their going costs;
* ``moves`` — move-ups: relocations that most raise expected cover (DMEXCLP, greedy);
* ``breach`` — when each waiting call breaches unless a unit is sent, and per-BCU expected
  breaches in the next 30 minutes;
* ``advise`` — all of it at once (:func:`stream.recommend.advise.recommend`).
"""
