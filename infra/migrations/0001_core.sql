-- Stjarna core schema: restaurants, menus, admin keys, audit log.
-- Applied by `stjarna db migrate` (shared/db/migrate.py), each file once, in name order, in one transaction.
-- Runs unchanged on Supabase (where the roles below already exist) and on any PostgreSQL 15+.

-- Supabase's API roles. On Supabase they exist; elsewhere we create them so RLS means the same.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

create table restaurants (
  id              uuid primary key default gen_random_uuid(),
  slug            text not null unique
                  check (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  name            text not null check (length(name) between 1 and 120),
  currency        text not null check (currency ~ '^[A-Z]{3}$'),
  locale          text not null default 'en' check (length(locale) between 2 and 35),
  timezone        text not null,
  hours           jsonb not null default '{}'::jsonb,
  allowed_origins text[] not null default '{}',
  status          text not null default 'draft' check (status in ('draft', 'live', 'suspended')),
  -- billing plan: sets the monthly AI message quota (AI_QUOTA_<PLAN>); set by ops, not by menu imports
  plan            text not null default 'starter' check (plan in ('starter', 'growth', 'pro')),
  theme_color     text check (theme_color ~ '^#[0-9a-f]{6}$'),
  greeting        text check (length(greeting) <= 280),
  menu_version    bigint not null default 1,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

create table menu_sections (
  id            uuid primary key default gen_random_uuid(),
  restaurant_id uuid not null references restaurants (id) on delete cascade,
  key           text not null check (key ~ '^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$'),
  name          text not null check (length(name) between 1 and 120),
  description   text check (length(description) <= 500),
  active        boolean not null default true,
  position      integer not null default 0,
  unique (restaurant_id, key)
);

create table menu_items (
  id                 uuid primary key default gen_random_uuid(),
  restaurant_id      uuid not null references restaurants (id) on delete cascade,
  section_id         uuid not null references menu_sections (id) on delete cascade,
  key                text not null check (key ~ '^[a-z0-9]([a-z0-9-]{0,78}[a-z0-9])?$'),
  name               text not null check (length(name) between 1 and 120),
  description        text check (length(description) <= 500),
  price_cents        integer not null check (price_cents between 0 and 10000000),
  allergens          text[] not null default '{}' check (allergens <@ array[
                       'gluten', 'crustaceans', 'eggs', 'fish', 'peanuts', 'soybeans', 'milk', 'nuts',
                       'celery', 'mustard', 'sesame', 'sulphites', 'lupin', 'molluscs']::text[]),
  -- false means "not declared": never read an empty list as allergen-free unless this is true.
  allergens_declared boolean not null default false,
  tags               text[] not null default '{}',
  available          boolean not null default true,
  position           integer not null default 0,
  unique (restaurant_id, key),
  check (allergens_declared or cardinality(allergens) = 0)
);
create index menu_items_section_idx on menu_items (section_id, position);

create table admin_keys (
  id           uuid primary key default gen_random_uuid(),
  name         text not null,
  key_hash     text not null unique,
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

create table audit_log (
  id            bigint generated always as identity primary key,
  at            timestamptz not null default now(),
  actor         text not null,
  action        text not null,
  restaurant_id uuid references restaurants (id) on delete set null,
  details       jsonb not null default '{}'::jsonb
);
create index audit_log_restaurant_idx on audit_log (restaurant_id, at desc);

-- Menu version: bumped on every change to a restaurant's menu or its public fields, so every
-- cache keyed by it (in-process, KV, the ETag) sees a change at once.
create function stjarna_bump_menu_version() returns trigger
language plpgsql as $$
begin
  update restaurants set menu_version = menu_version + 1
   where id in (select distinct restaurant_id from changed_rows);
  return null;
end
$$;

create trigger menu_sections_bump_ins after insert on menu_sections
  referencing new table as changed_rows for each statement execute function stjarna_bump_menu_version();
create trigger menu_sections_bump_upd after update on menu_sections
  referencing new table as changed_rows for each statement execute function stjarna_bump_menu_version();
create trigger menu_sections_bump_del after delete on menu_sections
  referencing old table as changed_rows for each statement execute function stjarna_bump_menu_version();
create trigger menu_items_bump_ins after insert on menu_items
  referencing new table as changed_rows for each statement execute function stjarna_bump_menu_version();
create trigger menu_items_bump_upd after update on menu_items
  referencing new table as changed_rows for each statement execute function stjarna_bump_menu_version();
create trigger menu_items_bump_del after delete on menu_items
  referencing old table as changed_rows for each statement execute function stjarna_bump_menu_version();

create function stjarna_restaurant_touch() returns trigger
language plpgsql as $$
begin
  if (new.*) is distinct from (old.*) then
    new.updated_at := now();
    if new.menu_version = old.menu_version then
      new.menu_version := old.menu_version + 1;
    end if;
  end if;
  return new;
end
$$;
create trigger restaurants_touch before update on restaurants
  for each row execute function stjarna_restaurant_touch();

-- Row level security: the anonymous role reads live restaurants' published menus, nothing else.
alter table restaurants enable row level security;
alter table menu_sections enable row level security;
alter table menu_items enable row level security;
alter table admin_keys enable row level security;
alter table audit_log enable row level security;

create policy restaurants_public_read on restaurants for select to anon, authenticated
  using (status = 'live');
create policy menu_sections_public_read on menu_sections for select to anon, authenticated
  using (active and exists (select 1 from restaurants r where r.id = restaurant_id and r.status = 'live'));
create policy menu_items_public_read on menu_items for select to anon, authenticated
  using (available
         and exists (select 1 from restaurants r where r.id = restaurant_id and r.status = 'live')
         and exists (select 1 from menu_sections s where s.id = section_id and s.active));

grant usage on schema public to anon, authenticated, service_role;
grant select on restaurants, menu_sections, menu_items to anon, authenticated;
grant all on restaurants, menu_sections, menu_items, admin_keys, audit_log to service_role;
grant usage on all sequences in schema public to service_role;
