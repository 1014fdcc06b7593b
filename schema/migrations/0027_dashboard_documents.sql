-- The shared insights dashboard of each workspace (issue 19 item 4): one Yjs document,
-- `dashboard:<workspace id>`, kind 'dashboard', hanging off no board. Its members arrange it
-- together (viewers read it, guests and strangers get 4404); new workspaces register theirs when
-- they are created (services/workspaces.py), these lines register it for the existing ones.
INSERT INTO documents (name, workspace_id, board_id, kind)
SELECT 'dashboard:' || id, id, NULL, 'dashboard' FROM workspaces
ON CONFLICT (name) DO NOTHING;
