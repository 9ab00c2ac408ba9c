-- The statements the project sends for each mirrored endpoint, in order, as Django emits
-- them (PostgreSQL, %s placeholders; LIMIT/OFFSET values are the only literals that vary).
-- fitbud/tests/test_bench_floor.py records the project's statements for each endpoint and
-- fails when they stop matching the plans in bench/floor/app.py (PLANS): the anchor always
-- runs the project's SQL, never a cheaper version of it.

-- name: user
SELECT u."id", u."password", u."last_login", u."is_superuser", u."email", u."full_name", u."role", u."timezone", u."units", u."is_active", u."is_staff", u."date_joined", m."id", m."studio_id", m."user_id", m."role", m."title", m."joined_at", m."updated_at", c."id", c."created_at", c."updated_at", c."user_id", c."studio_id", c."trainer_id", c."is_active", c."joined_at", c."deactivated_at", c."goals", CASE WHEN u."role" = %s THEN m.studio_id WHEN u."role" = %s THEN c.studio_id END, g.generation FROM "accounts_user" u LEFT JOIN "accounts_studiomember" m ON m.user_id = u."id" LEFT JOIN "clients_client" c ON c.user_id = u."id" LEFT JOIN "fitbud_api_tenantgeneration" g ON g.tenant_id = CASE WHEN u."role" = %s THEN m.studio_id WHEN u."role" = %s THEN c.studio_id END WHERE u."id" = %s

-- name: clients_count
SELECT COUNT(*) AS "__count" FROM "clients_client" WHERE "clients_client"."studio_id" = %s

-- name: clients_page
SELECT "clients_client"."id", "clients_client"."created_at", "clients_client"."updated_at", "clients_client"."user_id", "clients_client"."studio_id", "clients_client"."trainer_id", "clients_client"."is_active", "clients_client"."joined_at", "clients_client"."deactivated_at", "clients_client"."goals", (SELECT COUNT(*) FROM "clients_clientnote" note WHERE note."client_id" = "clients_client"."id") AS "notes_count", "accounts_user"."id", "accounts_user"."password", "accounts_user"."last_login", "accounts_user"."is_superuser", "accounts_user"."email", "accounts_user"."full_name", "accounts_user"."role", "accounts_user"."timezone", "accounts_user"."units", "accounts_user"."is_active", "accounts_user"."is_staff", "accounts_user"."date_joined" FROM "clients_client" INNER JOIN "accounts_user" ON ("clients_client"."user_id" = "accounts_user"."id") WHERE "clients_client"."studio_id" = %s ORDER BY "clients_client"."joined_at" DESC, "clients_client"."id" DESC LIMIT 21

-- name: workout_logs_page
SELECT "progress_workoutlog"."created_at", "progress_workoutlog"."updated_at", "progress_workoutlog"."id", "progress_workoutlog"."date", "progress_workoutlog"."notes", "progress_workoutlog"."client_id", "progress_workoutlog"."assignment_id", "progress_workoutlog"."day_index", "progress_workoutlog"."target", "progress_workoutlog"."exercises", "progress_workoutlog"."duration_minutes", "progress_workoutlog"."effort" FROM "progress_workoutlog" INNER JOIN "clients_client" ON ("progress_workoutlog"."client_id" = "clients_client"."id") WHERE "clients_client"."user_id" = %s ORDER BY "progress_workoutlog"."created_at" DESC, "progress_workoutlog"."id" DESC LIMIT 21

-- name: workout_log_existing
SELECT "progress_workoutlog"."created_at", "progress_workoutlog"."updated_at", "progress_workoutlog"."id", "progress_workoutlog"."date", "progress_workoutlog"."notes", "progress_workoutlog"."client_id", "progress_workoutlog"."assignment_id", "progress_workoutlog"."day_index", "progress_workoutlog"."target", "progress_workoutlog"."exercises", "progress_workoutlog"."duration_minutes", "progress_workoutlog"."effort" FROM "progress_workoutlog" WHERE "progress_workoutlog"."id" = %s ORDER BY "progress_workoutlog"."date" DESC, "progress_workoutlog"."created_at" DESC LIMIT 1

-- name: workout_log_insert
INSERT INTO "progress_workoutlog" ("created_at", "updated_at", "id", "date", "notes", "client_id", "assignment_id", "day_index", "target", "exercises", "duration_minutes", "effort") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)

-- name: tenant_bump
INSERT INTO "fitbud_api_tenantgeneration" (tenant_id, generation) VALUES (%s, %s) ON CONFLICT (tenant_id) DO UPDATE SET generation = "fitbud_api_tenantgeneration".generation + 1

-- name: feed_insert
INSERT INTO "dashboard_activityevent" ("studio_id", "trainer_id", "client_id", "kind", "domain", "summary", "content_type_id", "object_id", "created_at") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING "dashboard_activityevent"."id"

-- name: feed_notify
SELECT pg_notify(%s, %s)

-- name: content_type
SELECT "django_content_type"."id" FROM "django_content_type" WHERE ("django_content_type"."app_label" = %s AND "django_content_type"."model" = %s)
