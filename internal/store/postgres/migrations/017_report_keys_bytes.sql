-- Report keys stored in 17 bytes (issue 18, storage per report).
--
-- Every key the service makes is a report_id, a canonical lower-case
-- UUID, or "sha256:" and 32 hex digits (report.Decoded.Key): 16 bytes
-- written as 36 or 39 characters, in every row and again in its primary
-- key's index entry. The service stores them as package pack's Key: a
-- kind byte ('u', 's'; 't' for any other key, kept as its text) and the
-- 16 bytes. The rules here are pack.Key's, so a retry of a report stored
-- before this migration still conflicts with it.
ALTER TABLE reports ALTER COLUMN report_key TYPE BYTEA USING CASE
    WHEN report_key ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        THEN '\x75'::bytea || decode(replace(report_key, '-', ''), 'hex')
    WHEN report_key ~ '^sha256:[0-9a-f]{32}$'
        THEN '\x73'::bytea || decode(substr(report_key, 8), 'hex')
    ELSE '\x74'::bytea || convert_to(report_key, 'UTF8')
END;
