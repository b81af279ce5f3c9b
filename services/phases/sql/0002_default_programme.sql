-- The default programme (the five phases of DESIGN.md with their default exit
-- criteria) and the default assessment questionnaire, so that a fresh install
-- has both.  Their ids are fixed and documented (README, api-specs/phases.yaml).
-- Each is written in the normal form the service stores after validation.
INSERT INTO programme (id, version) VALUES ('de0fa017-0000-4000-8000-000000000001', 1);

INSERT INTO programme_version (programme_id, version, name, description, phases, created_by)
VALUES ('de0fa017-0000-4000-8000-000000000001', 1, 'Social adoption programme',
  'Five phases towards a personal social-media thought-leadership strategy woven into the'
  ' business''s own social media strategy. Durations are guides, never deadlines: every'
  ' partner moves at their own pace.',
  jsonb_build_array(
    jsonb_build_object('position', 1, 'key', 'research', 'name', 'Research',
      'description', 'Measure the partner''s starting confidence and capability per'
        ' platform and skill.',
      'guide_days', 14, 'stall_days', 21,
      'criteria', jsonb_build_array(jsonb_build_object(
        'type', 'assessment_submitted', 'service', 'phases', 'within_phase', false))),
    jsonb_build_object('position', 2, 'key', 'workshops', 'name', 'Workshops',
      'description', 'Practical workshops on how to use the platforms.',
      'guide_days', 28, 'stall_days', 28,
      'criteria', jsonb_build_array(jsonb_build_object(
        'type', 'workshops_attended', 'service', 'phases', 'min', 2))),
    jsonb_build_object('position', 3, 'key', 'playbook', 'name', 'Playbook',
      'description', 'The partner drafts a personal strategy in the playbook.',
      'guide_days', 42, 'stall_days', 28,
      'criteria', jsonb_build_array(jsonb_build_object(
        'type', 'playbook_sections_drafted', 'service', 'strategy',
        'sections', jsonb_build_array('purpose', 'vision', 'audiences', 'themes', 'platforms',
                                      'cadence', 'goals')))),
    jsonb_build_object('position', 4, 'key', 'mentoring', 'name', 'Mentoring',
      'description', '1:1 mentoring, the longest and most intensive phase: sessions, an'
        ' activity checklist of regular platform activities, shared learnings.',
      'guide_days', 120, 'stall_days', 30,
      'criteria', jsonb_build_array(
        jsonb_build_object('type', 'sessions_held', 'service', 'mentoring', 'min', 6),
        jsonb_build_object('type', 'activity_rate', 'service', 'mentoring',
                           'min_per_week', 2.0, 'weeks', 4),
        jsonb_build_object('type', 'mentor_signoff', 'service', 'mentoring'))),
    jsonb_build_object('position', 5, 'key', 'integration', 'name', 'Integration',
      'description', 'The personal strategy is aligned with the business strategy and signed'
        ' off; it then becomes business as usual.',
      'guide_days', 30, 'stall_days', 30,
      'criteria', jsonb_build_array(jsonb_build_object(
        'type', 'integration_signed_off', 'service', 'strategy')))),
  'migration');

INSERT INTO assessment_template (id, name, items)
SELECT 'de0fa017-0000-4000-8000-000000000002', 'Social confidence and capability',
       jsonb_agg(jsonb_build_object('platform', i.platform, 'skill', i.skill, 'prompt', i.prompt)
                 ORDER BY i.n)
FROM (VALUES
  (1, 'linkedin', 'profile', 'Keeping a profile that says who you are and what you stand for'),
  (2, 'linkedin', 'posting', 'Writing and publishing your own posts'),
  (3, 'linkedin', 'engaging', 'Commenting on and sharing others'' posts'),
  (4, 'linkedin', 'networking', 'Growing a network around your themes'),
  (5, 'x', 'profile', 'Keeping a profile that says who you are and what you stand for'),
  (6, 'x', 'posting', 'Writing and publishing your own posts'),
  (7, 'x', 'engaging', 'Replying, quoting and joining conversations'),
  (8, 'x', 'networking', 'Following and being followed by the right people'),
  (9, 'blog', 'posting', 'Writing long-form pieces'),
  (10, 'blog', 'measuring', 'Reading what your audience responds to')
) AS i (n, platform, skill, prompt);
