"""The set-based SQL of the scale generator (PostgreSQL): one statement per table, no row loop.

Placeholders are filled by :func:`generate.load`: ``%(n)s`` complaints, ``%(contacts)s`` reporters,
arrays of ids of the demo city's reference rows, and the one access-code hash every generated
complaint shares (the bench proves it on the tracking page). ``random()`` is seeded first, so
the same N gives the same data. Timestamps are consistent: each stage comes after the one
before and before now; open work is flagged overdue as the sweep would have done, except one
in a thousand rows (new lateness for the measured sweep).
"""

SESSION = [
    "SET synchronous_commit = off",
    "SET work_mem = '256MB'",
    "SET maintenance_work_mem = '512MB'",
    "SELECT setseed(0.42)",
]

CONTACTS = """
INSERT INTO aduan_publik_contact (id, channel, address, user_id, name, phone, email, created_at %(extra_columns)s)
SELECT i, ch, CASE ch WHEN 'web' THEN 'warga' || i || '@example.org'
                      WHEN 'whatsapp' THEN '62812' || lpad(i::text, 8, '0') ELSE '' END,
       '', (%(first)s::text[])[1 + i %% cardinality(%(first)s::text[])] || ' '
           || (%(last)s::text[])[1 + (i / 7) %% cardinality(%(last)s::text[])],
       CASE WHEN ch = 'web' AND i %% 2 = 0 THEN '' ELSE '0812' || lpad(i::text, 8, '0') END,
       CASE WHEN ch = 'web' THEN 'warga' || i || '@example.org' ELSE '' END,
       now() - interval '1500 days' %(extra_values)s
FROM (SELECT i, (ARRAY['web', 'web', 'web', 'web', 'whatsapp', 'whatsapp', 'whatsapp', 'whatsapp', 'lapor',
                       'manual'])[1 + i %% 10] AS ch
      FROM generate_series(1, %(contacts)s) AS i) AS s
"""

# Stage 1: the random draws and the status of each complaint (recent ones are still open more often).
DRAWS = """
CREATE TEMP TABLE gen ON COMMIT DROP AS
SELECT i, received_at, r1, r2, r3, r4, r_flag,
       CASE WHEN received_at > now() - interval '60 days' THEN
         CASE WHEN r < .10 THEN 'received' WHEN r < .13 THEN 'postponed' WHEN r < .28 THEN 'disposed'
              WHEN r < .48 THEN 'in_progress' WHEN r < .50 THEN 'returned' WHEN r < .65 THEN 'answered'
              WHEN r < .90 THEN 'closed' WHEN r < .98 THEN 'archived' ELSE 'not_authority' END
       ELSE
         CASE WHEN r < .003 THEN 'received' WHEN r < .006 THEN 'postponed' WHEN r < .02 THEN 'disposed'
              WHEN r < .05 THEN 'in_progress' WHEN r < .052 THEN 'returned' WHEN r < .06 THEN 'answered'
              WHEN r < .86 THEN 'closed' WHEN r < .96 THEN 'archived' ELSE 'not_authority' END
       END AS status
FROM (SELECT i, now() - make_interval(secs => 1461 * 86400.0 * (%(n)s - i) / %(n)s + random() * 600) AS received_at,
             random() AS r, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r_flag
      FROM generate_series(1, %(n)s) AS i) AS s
"""

# Stage 2: the stage times, each after the one before and all before now.
TIMES = """
CREATE TEMP TABLE times ON COMMIT DROP AS
SELECT g.*, v AS verified_at, f AS first_response_at,
       CASE WHEN status = 'answered' THEN greatest(f, now() - interval '9 days' * r3)
            WHEN status = 'closed' THEN f + least(interval '14 days' * r3, (now() - received_at) * 0.2 * r3) END
         AS answered_at
FROM (SELECT gen.*,
             CASE WHEN status IN ('disposed', 'in_progress', 'returned', 'answered', 'closed', 'not_authority')
                  THEN received_at + least(interval '3 days' * r1, (now() - received_at) * 0.1 * r1) END AS v,
             CASE WHEN status IN ('in_progress', 'answered', 'closed')
                  THEN received_at + least(interval '3 days' * r1, (now() - received_at) * 0.1 * r1)
                       + least(interval '5 days' * r2, (now() - received_at) * 0.1 * r2) END AS f
      FROM gen) AS g
"""

COMPLAINTS = """
INSERT INTO aduan_publik_complaint (
    id, tracking_number, access_code_hash, kind, title, description, category_id, location_text, kecamatan_id,
    kelurahan_id, channel, channel_instance, external_id, contact_id, is_anonymous, is_secret, status, priority,
    field_check, due_at, paused_working_days, overdue_flagged_at, received_at, verified_at, first_response_at,
    answered_at, closed_at, archive_reason, status_note, duplicate_of_id, forwarded_to, rating, rating_comment,
    rated_at, created_at, updated_at %(extra_columns)s)
SELECT i, 'ADU-' || y || '-' || lpad(row_number() OVER (PARTITION BY y ORDER BY i)::text, 6, '0'), %(code_hash)s,
       CASE WHEN r2 < .8 THEN 'pengaduan' WHEN r2 < .92 THEN 'aspirasi' ELSE 'informasi' END,
       title, title || '. ' || (ARRAY['Sudah berlangsung lebih dari seminggu dan belum ada penanganan.',
           'Warga sekitar sangat terganggu, mohon segera ditindaklanjuti.',
           'Kondisi ini membahayakan pengguna jalan terutama pada malam hari.',
           'Sudah pernah dilaporkan ke RT setempat namun belum ada perubahan.'])[1 + i %% 4],
       cat, street, kec, kel, channel, '', '', contact_id, i %% 13 = 0, i %% 31 = 0, status,
       CASE WHEN i %% 50 = 0 THEN 'high' ELSE 'normal' END, false, due_at,
       CASE WHEN status = 'postponed' THEN 2 END,
       CASE WHEN status IN ('received', 'returned', 'disposed', 'in_progress')
                 AND due_at < now() - interval '10 minutes' AND r_flag >= .001 THEN due_at + interval '10 minutes' END,
       received_at, verified_at, first_response_at, answered_at, closed_at,
       CASE WHEN status = 'archived' THEN (ARRAY['spam', 'unclear', 'duplicate', 'suggestion'])[1 + floor(r4 * 4)::int]
            ELSE '' END,
       '',
       CASE WHEN status = 'archived' AND floor(r4 * 4) = 2 AND i > 60 THEN i - 1 - floor(r2 * 50)::int END,
       CASE WHEN status = 'not_authority' THEN 'PLN UP3 Pontianak' ELSE '' END,
       rating, '', CASE WHEN rating IS NOT NULL THEN closed_at END,
       received_at, coalesce(closed_at, answered_at, first_response_at, verified_at, received_at) %(extra_values)s
FROM (SELECT t.*, extract(year FROM received_at)::int AS y,
             (%(cats)s::int[])[1 + (i * 7) %% cardinality(%(cats)s::int[])] AS cat,
             (%(titles)s::text[])[1 + (i * 7) %% cardinality(%(titles)s::text[])] || ' '
                 || (%(streets)s::text[])[1 + (i * 3) %% cardinality(%(streets)s::text[])] AS title,
             (%(streets)s::text[])[1 + (i * 3) %% cardinality(%(streets)s::text[])] AS street,
             (%(kecs)s::int[])[1 + (i * 11) %% cardinality(%(kecs)s::int[])] AS kec,
             (%(kels)s::int[])[1 + (i * 11) %% cardinality(%(kels)s::int[])] AS kel,
             CASE WHEN i %% 20 = 0 THEN NULL ELSE 1 + (i::bigint * 7919) %% %(contacts)s END AS contact_id,
             CASE WHEN i %% 20 = 0 THEN 'manual'
                  ELSE (ARRAY['web', 'web', 'web', 'web', 'whatsapp', 'whatsapp', 'whatsapp', 'whatsapp', 'lapor',
                              'manual'])[1 + (1 + (i::bigint * 7919) %% %(contacts)s) %% 10] END AS channel,
             CASE status WHEN 'received' THEN received_at + interval '5 days'
                         WHEN 'returned' THEN verified_at + interval '6 days'
                         WHEN 'disposed' THEN verified_at + interval '7 days'
                         WHEN 'in_progress' THEN verified_at + interval '14 days'
                         WHEN 'answered' THEN answered_at + interval '14 days' END AS due_at,
             CASE WHEN status = 'closed' THEN answered_at + least(interval '14 days' * (.5 + r4 / 2),
                                                                  (now() - received_at) * 0.2 * r4)
                  WHEN status IN ('archived', 'not_authority')
                  THEN received_at + least(interval '2 days' * r1, (now() - received_at) * 0.1 * r1) END AS closed_at,
             CASE WHEN status = 'closed' AND r4 < .6 THEN
                  CASE WHEN r2 < .5 THEN 5 WHEN r2 < .8 THEN 4 WHEN r2 < .9 THEN 3 WHEN r2 < .95 THEN 2 ELSE 1 END
             END AS rating
      FROM times AS t) AS s
ORDER BY i
"""

# ~1.5 OPDs per disposed complaint (about 1.3 per complaint overall); distinct OPDs per complaint.
DISPOSITIONS = """
INSERT INTO aduan_publik_disposition (
    complaint_id, opd_id, state, instruction, created_at, accepted_at, answered_at, returned_at, return_reason,
    respond_due, complete_due, overdue_flagged_at %(extra_columns)s)
SELECT id, opd, state, '', verified_at, CASE WHEN state IN ('accepted', 'answered') THEN first_response_at END,
       CASE WHEN state = 'answered' THEN answered_at END,
       CASE WHEN state = 'returned' THEN verified_at + interval '1 day' END,
       CASE WHEN state = 'returned' THEN 'Bukan kewenangan kami.' ELSE '' END, respond_due, complete_due,
       CASE WHEN random() < .001 THEN NULL
            WHEN state IN ('pending', 'accepted') AND complete_due < now() THEN complete_due + interval '10 minutes'
            WHEN state = 'pending' AND respond_due < now() THEN respond_due + interval '10 minutes' END
       %(extra_values)s
FROM (SELECT c.id, c.verified_at, c.first_response_at, c.answered_at,
             (%(opds)s::int[])[1 + (c.id * 13 + j * 7) %% cardinality(%(opds)s::int[])] AS opd,
             CASE c.status WHEN 'disposed' THEN 'pending' WHEN 'in_progress' THEN 'accepted'
                           WHEN 'returned' THEN 'returned' ELSE 'answered' END AS state,
             c.verified_at + interval '7 days' AS respond_due, c.verified_at + interval '14 days' AS complete_due
      FROM aduan_publik_complaint AS c
      -- Drawn from the id: a LATERAL call that names no outer column would be evaluated only once.
      CROSS JOIN LATERAL generate_series(1, 1 + ((c.id::bigint * 2654435761) %% 100 < 40)::int
                                            + ((c.id::bigint * 40503) %% 100 < 12)::int) AS j
      WHERE c.status IN ('disposed', 'in_progress', 'returned', 'answered', 'closed')) AS s
"""

# What the disposition service writes with each disposition: one scope row per OPD and complaint.
OPD_SCOPES = """
INSERT INTO aduan_publik_opdscope (opd_id, complaint_id, received_at %(extra_columns)s)
SELECT DISTINCT d.opd_id, d.complaint_id, c.received_at %(extra_values)s
FROM aduan_publik_disposition AS d JOIN aduan_publik_complaint AS c ON c.id = d.complaint_id
"""

EVENT_VERBS = """
CASE status WHEN 'received' THEN ARRAY['created']
            WHEN 'postponed' THEN ARRAY['created', 'postponed']
            WHEN 'disposed' THEN ARRAY['created', 'verified']
            WHEN 'in_progress' THEN ARRAY['created', 'verified', 'accepted']
            WHEN 'returned' THEN ARRAY['created', 'verified', 'returned']
            WHEN 'answered' THEN ARRAY['created', 'verified', 'accepted', 'answered']
            WHEN 'closed' THEN ARRAY['created', 'verified', 'accepted', 'answered', 'autoclosed']
            WHEN 'archived' THEN ARRAY['created', 'archived']
            ELSE ARRAY['created', 'not_authority'] END
"""

EVENTS = """
INSERT INTO aduan_publik_event (complaint_id, actor_label, verb, summary, data, created_at %(extra_columns)s)
SELECT id, CASE verb WHEN 'created' THEN channel WHEN 'autoclosed' THEN 'sistem' ELSE 'Admin Diskominfo' END, verb,
       CASE verb WHEN 'created' THEN 'Aduan diterima melalui kanal ' || channel || '.'
                 WHEN 'verified' THEN 'Diverifikasi dan didisposisikan.'
                 WHEN 'accepted' THEN 'Disposisi diterima OPD.'
                 WHEN 'answered' THEN 'Tindak lanjut dikirim ke pelapor.'
                 WHEN 'autoclosed' THEN 'Selesai otomatis: pelapor tidak menanggapi.'
                 ELSE 'Status diubah.' END,
       '{}'::jsonb,
       coalesce(CASE verb WHEN 'verified' THEN verified_at WHEN 'accepted' THEN first_response_at
                          WHEN 'answered' THEN answered_at WHEN 'returned' THEN verified_at + interval '1 day'
                          WHEN 'postponed' THEN received_at + interval '1 day'
                          WHEN 'created' THEN received_at ELSE closed_at END, received_at)
       %(extra_values)s
FROM aduan_publik_complaint CROSS JOIN LATERAL unnest(%(verbs)s) AS verb
"""

# The reporter's message and the acknowledgement; an answer message on a tenth of the answered ones.
MESSAGES = """
INSERT INTO aduan_publik_message (
    complaint_id, contact_id, channel, channel_instance, direction, kind, body, external_id, state, error, attempts,
    is_internal, created_at, sent_at, state_changed_at, meta %(extra_columns)s)
SELECT id, contact_id, channel, '', direction, 'text', body, '', state, '', 0, false, at,
       CASE WHEN direction = 'out' THEN at END, at, '{}'::jsonb %(extra_values)s
FROM (SELECT id, contact_id, channel, 'in' AS direction, description AS body, 'received' AS state, received_at AS at
      FROM aduan_publik_complaint
      UNION ALL
      SELECT id, contact_id, channel, 'out', 'Aduan Anda diterima dengan nomor ' || tracking_number || '.',
             'delivered', received_at + interval '1 minute'
      FROM aduan_publik_complaint
      UNION ALL
      SELECT id, contact_id, channel, 'out', 'Tindak lanjut: petugas sudah menangani laporan Anda di lapangan.',
             'delivered', answered_at
      FROM aduan_publik_complaint WHERE answered_at IS NOT NULL AND id %% 10 = 0) AS m
"""

FINISH = [
    "SELECT setval(pg_get_serial_sequence('aduan_publik_contact', 'id'), (SELECT max(id) FROM aduan_publik_contact))",
    "SELECT setval(pg_get_serial_sequence('aduan_publik_complaint', 'id'),"
    " (SELECT max(id) FROM aduan_publik_complaint))",
    """INSERT INTO aduan_publik_counter (name, value)
       SELECT 'complaint-' || split_part(tracking_number, '-', 2), max(split_part(tracking_number, '-', 3)::int)
       FROM aduan_publik_complaint GROUP BY 1
       ON CONFLICT (name) DO UPDATE SET value = greatest(aduan_publik_counter.value, excluded.value)""",
]
