"""Batch awards (issue #8): CSV, XLSX or JSON rows in, signed credentials out, nothing lost.

* :mod:`issuer.batch.intake` reads the rows;
* :mod:`issuer.batch.rows` checks them and gives each its idempotency key;
* :mod:`issuer.batch.service` previews, creates, starts, resumes and reports runs;
* :mod:`issuer.batch.runner` issues a chunk of rows (the ``batch.chunk`` job);
* :mod:`issuer.batch.allocation` draws status list positions many at a time;
* :mod:`issuer.batch.notify` e-mails recipients (the ``batch.notify`` job).
"""
