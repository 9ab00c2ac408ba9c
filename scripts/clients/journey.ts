// Compile-only (tsc --strict --noEmit): the trainer + client journey written against the
// types openapi-typescript generates from the schema (schema.d.ts, copied beside this file
// by scripts/generated_clients.sh). A type error here is a defect of the schema.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: { [K in S]: { content: { "application/json": infer T } } } }
    ? T
    : never;

declare function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T>;

function isDiet(template: Schemas["Template"]): template is Schemas["DietTemplate"] {
  return template.kind === "diet";
}

function describeError(error: Schemas["Error"]): string {
  // Codes are an open set: an unknown one is still a string.
  return error.errors.map((item) => `${item.code}${item.attr ? ` (${item.attr})` : ""}`).join(", ");
}

export async function journey(): Promise<void> {
  const register: Schemas["RegisterRequest"] = {
    email: "tess@example.com",
    password: "correct-horse-battery-9",
    full_name: "Tess Trainer",
    timezone: "Europe/Berlin", // a string, not a 600-value enum
  };
  const signedUp = await call<Json<"/api/v1/auth/register/", "post", 201>>(
    "POST", "/api/v1/auth/register/", register,
  );
  const trainer = signedUp.access;

  // Optional request fields stay optional (no `description`, no `timezone`).
  const invite: Schemas["InviteCreateInputRequest"] = { email: "sam@example.com", full_name: "Sam" };
  const issued = await call<Json<"/api/v1/invites/", "post", 201>>("POST", "/api/v1/invites/", invite, trainer);
  const accept: Schemas["InviteAcceptInputRequest"] = { token: issued.token, password: "a-long-passphrase-42" };
  const client = (await call<Schemas["AuthResult"]>("POST", "/api/v1/auth/invites/accept/", accept)).access;

  const workoutBody: Schemas["TemplateCreateRequest"] = {
    kind: "workout",
    name: "Push",
    content: { days: [{ name: "Push", exercises: [{ name: "Bench", sets: 3, reps: "8-12" }] }] },
  };
  const dietBody: Schemas["TemplateCreateRequest"] = {
    kind: "diet",
    name: "2200 kcal",
    content: { targets: { calories: 2200 }, days: [{ name: "Day", meals: [] }] },
  };
  const workout = await call<Schemas["Template"]>("POST", "/api/v1/templates/", workoutBody, trainer);
  const diet = await call<Schemas["Template"]>("POST", "/api/v1/templates/", dietBody, trainer);
  if (isDiet(diet)) {
    const targets: Schemas["DietPlanTargets"] | null | undefined = diet.content.targets;
    console.log(targets?.calories);
  }

  const roster = await call<Json<"/api/v1/clients/", "get", 200>>("GET", "/api/v1/clients/?ordering=-joined_at,name", undefined, trainer);
  const first = roster.results[0];
  if (first === undefined) return;
  const next: number | null = roster.next_page;
  console.log(next);
  for (const template of [workout, diet]) {
    const assign: Schemas["AssignmentCreateRequest"] = { client: first.id, template: template.id, start_date: "2026-12-01" };
    const assignment = await call<Schemas["Assignment"]>("POST", "/api/v1/assignments/", assign, trainer);
    if (assignment.kind === "workout") console.log(assignment.snapshot.days.length);
  }

  const log: Schemas["WorkoutLogInputRequest"] = {
    date: "2026-12-01",
    exercises: [{ name: "Bench", sets: [{ reps: 10, done: true }] }],
  };
  await call<Schemas["WorkoutLog"]>("POST", "/api/v1/workout-logs/", log, client);

  const today = await call<Json<"/api/v1/me/today/", "get", 200>>("GET", "/api/v1/me/today/", undefined, client);
  if (today.diet !== null) {
    const day: Schemas["DietPlanDay"] = today.diet.day;
    console.log(day.meals?.length, today.diet.targets?.protein_g);
  }
  if (today.workout !== null) {
    const day: Schemas["WorkoutPlanDay"] = today.workout.day;
    console.log(day.exercises?.length);
  }
  const home = await call<Schemas["ClientHome"]>("GET", "/api/v1/me/dashboard/", undefined, client);
  console.log(home.subscription?.status, home.latest_feedback?.feedback);

  const feed = await call<Json<"/api/v1/feed/", "get", 200>>("GET", "/api/v1/feed/", undefined, trainer);
  const cursor: string | null = feed.next_cursor;
  console.log(cursor, feed.results.map((event) => event.kind));
  const board = await call<Schemas["TrainerDashboard"]>("GET", "/api/v1/dashboard/", undefined, trainer);
  console.log(board.active_clients);
  const streamEvent: Schemas["FeedStreamMessage"] = { event: "reset", data: {} };
  console.log(streamEvent.id);

  const problem: Schemas["Error"] = { type: "client_error", errors: [{ code: "a_code_from_the_future", detail: "", attr: null }] };
  console.log(describeError(problem));
}
