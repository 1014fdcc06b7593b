-- Who a notification is from, by name, when it has one person behind it (issue 18: "Ada
-- mentioned you in …"). The name as it was when the notification was written, like its message.
ALTER TABLE notifications ADD COLUMN actor text;
