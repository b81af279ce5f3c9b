-- The default programme (the five phases of DESIGN.md with their default exit
-- criteria) and the default assessment questionnaire, so that a fresh install
-- has both.  Their ids are fixed and documented (README, api-specs/phases.yaml).
-- Each is written as the service would store it after validation.
INSERT INTO programme (id, version)
    VALUES ('de0fa017-0000-4000-8000-000000000001', 1);

INSERT INTO programme_version (programme_id, version, name, description, phases, created_by)
VALUES ('de0fa017-0000-4000-8000-000000000001', 1, 'Social adoption programme',
 'Five phases towards a personal social-media thought-leadership strategy woven into the'
 ' business''s own social media strategy. Durations are guides, never deadlines: every'
 ' partner moves at their own pace.',
 '[
  {"position": 1, "key": "research", "name": "Research",
   "description": "Measure the partner''s starting confidence and capability per platform and skill.",
   "guide_days": 14, "stall_days": 21,
   "criteria": [{"type": "assessment_submitted", "service": "phases", "within_phase": false}]},
  {"position": 2, "key": "workshops", "name": "Workshops",
   "description": "Practical workshops on how to use the platforms.",
   "guide_days": 28, "stall_days": 28,
   "criteria": [{"type": "workshops_attended", "service": "phases", "min": 2}]},
  {"position": 3, "key": "playbook", "name": "Playbook",
   "description": "The partner drafts a personal strategy in the playbook.",
   "guide_days": 42, "stall_days": 28,
   "criteria": [{"type": "playbook_sections_drafted", "service": "strategy",
                 "sections": ["purpose", "vision", "audiences", "themes", "platforms",
                              "cadence", "goals"]}]},
  {"position": 4, "key": "mentoring", "name": "Mentoring",
   "description": "1:1 mentoring, the longest and most intensive phase: sessions, an activity checklist, shared learnings.",
   "guide_days": 120, "stall_days": 30,
   "criteria": [{"type": "sessions_held", "service": "mentoring", "min": 6},
                {"type": "activity_rate", "service": "mentoring", "min_per_week": 2, "weeks": 4},
                {"type": "mentor_signoff", "service": "mentoring"}]},
  {"position": 5, "key": "integration", "name": "Integration",
   "description": "The personal strategy is aligned with the business strategy and signed off; it then becomes business as usual.",
   "guide_days": 30, "stall_days": 30,
   "criteria": [{"type": "integration_signed_off", "service": "strategy"}]}
 ]'::jsonb, 'migration');

INSERT INTO assessment_template (id, name, items)
VALUES ('de0fa017-0000-4000-8000-000000000002', 'Social confidence and capability',
 '[
  {"platform": "linkedin", "skill": "profile", "prompt": "Keeping a profile that says who you are and what you stand for"},
  {"platform": "linkedin", "skill": "posting", "prompt": "Writing and publishing your own posts"},
  {"platform": "linkedin", "skill": "engaging", "prompt": "Commenting on and sharing others'' posts"},
  {"platform": "linkedin", "skill": "networking", "prompt": "Growing a network around your themes"},
  {"platform": "x", "skill": "profile", "prompt": "Keeping a profile that says who you are and what you stand for"},
  {"platform": "x", "skill": "posting", "prompt": "Writing and publishing your own posts"},
  {"platform": "x", "skill": "engaging", "prompt": "Replying, quoting and joining conversations"},
  {"platform": "x", "skill": "networking", "prompt": "Following and being followed by the right people"},
  {"platform": "blog", "skill": "posting", "prompt": "Writing long-form pieces"},
  {"platform": "blog", "skill": "measuring", "prompt": "Reading what your audience responds to"}
 ]'::jsonb);
