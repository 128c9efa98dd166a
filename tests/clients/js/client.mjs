// Scenarios that drive Plaza through masto.js (npm `masto`), unmodified, as a real app would.
//
// Run by tests/clients/test_masto_js.py:   node client.mjs SCENARIO < config.json
// The config (JSON on stdin) names the server and its provisioned users and tokens. Prints one
// JSON line: {"ok": true, "result": {...}} or {"ok": false, "error": "...", "stack": "..."}.
import { createHash, randomBytes } from "node:crypto";

import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";

const SCOPES = "read write follow push";
// Never contacted: the code is read from the Location header, as a native app's handler would.
const REDIRECT = "http://127.0.0.1:9/masto-js/callback";

const scenarios = {};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function api(config, role) {
  return createRestAPIClient({
    url: config.base_url,
    accessToken: config.users[role].token,
    timeout: 30_000,
    mediaTimeout: 20_000,
  });
}

async function waitFor(check, timeoutMs = 10_000, stepMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value;
    await sleep(stepMs);
  }
}

// --- a tiny PNG, built by hand --------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
async function png(width = 16, height = 12) {
  const { deflateSync } = await import("node:zlib");
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 16) % 256;
      raw[row + 2 + x * 3] = (y * 20) % 256;
      raw[row + 3 + x * 3] = 200;
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// --- the browser part of OAuth, with fetch and a cookie jar ---------------------------------
class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }
  async request(url, init = {}) {
    const headers = new Headers(init.headers || {});
    headers.set("User-Agent", "Mozilla/5.0 (plaza-clients-test browser)");
    if (this.cookies.size) {
      headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    response.finalUrl = url;
    response.body_ = await response.text();
    return response;
  }
  // Follow redirects that stay on the server; stop at the one leaving for the client.
  async go(response) {
    for (let i = 0; i < 10; i++) {
      const location = response.headers.get("location");
      if (![301, 302, 303].includes(response.status) || !location) return response;
      const target = new URL(location, response.finalUrl).toString();
      if (!target.startsWith(this.base)) return response;
      response = await this.request(target);
    }
    throw new Error("too many redirects");
  }
}

function decodeEntities(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function attrs(tag) {
  const out = {};
  for (const m of tag.matchAll(/([a-zA-Z_:-]+)(?:\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = decodeEntities(m[3] ?? m[4] ?? m[5] ?? "");
  }
  return out;
}

function formsOf(html) {
  const forms = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]);
    const inputs = {};
    const buttons = [];
    for (const input of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const ia = attrs(input[1]);
      if (!ia.name) continue;
      if (["checkbox", "radio"].includes(ia.type) && !("checked" in ia)) continue;
      inputs[ia.name] = ia.value ?? "";
    }
    for (const button of m[2].matchAll(/<button\b([^>]*)>/gi)) {
      const ba = attrs(button[1]);
      if (ba.name) buttons.push([ba.name, ba.value ?? ""]);
    }
    forms.push({ action: a.action ?? "", method: (a.method ?? "get").toLowerCase(), inputs, buttons });
  }
  return forms;
}

async function browserAuthorize(base, url, username, password) {
  const browser = new Browser(base);
  let page = await browser.go(await browser.request(url));
  let logins = 0;
  while (page.status === 200 && logins < 3) {
    const login = formsOf(page.body_).find((f) => "password" in f.inputs);
    if (!login) break;
    logins += 1;
    const body = new URLSearchParams({ ...login.inputs, username, password });
    page = await browser.go(
      await browser.request(new URL(login.action || page.finalUrl, page.finalUrl).toString(), {
        method: "POST",
        body,
      }),
    );
  }
  if (page.status === 200) {
    const consent = formsOf(page.body_).find((f) =>
      f.buttons.some(([n, v]) => n === "allow" && v === "Authorize"),
    );
    if (!consent) throw new Error(`no consent form at ${page.finalUrl}: ${page.body_.slice(0, 800)}`);
    const body = new URLSearchParams({ ...consent.inputs, allow: "Authorize" });
    page = await browser.go(
      await browser.request(new URL(consent.action || page.finalUrl, page.finalUrl).toString(), {
        method: "POST",
        body,
      }),
    );
  }
  const location = page.headers.get("location");
  if ([301, 302, 303].includes(page.status) && location) {
    const params = new URL(location).searchParams;
    if (!params.get("code")) throw new Error(`redirected without a code: ${location}`);
    return { code: params.get("code"), state: params.get("state"), logins };
  }
  throw new Error(`no code: HTTP ${page.status} at ${page.finalUrl}: ${page.body_.slice(0, 800)}`);
}

const brief = (s) => ({
  id: s.id,
  content: s.content,
  visibility: s.visibility,
  account: s.account.acct,
  tags: (s.tags || []).map((t) => t.name),
});

// --- scenarios ------------------------------------------------------------------------------

scenarios.instance = async (config) => {
  const anonymous = createRestAPIClient({ url: config.base_url });
  const v2 = await anonymous.v2.instance.fetch();
  const v1 = await anonymous.v1.instance.fetch();
  return {
    version: v2.version,
    domain: v2.domain,
    v1_uri: v1.uri,
    streaming: v2.configuration.urls.streaming,
    api_versions: v2.apiVersions ?? null,
  };
};

scenarios.register_app = async (config) => {
  const anonymous = createRestAPIClient({ url: config.base_url });
  const app = await anonymous.v1.apps.create({
    clientName: "masto.js tests",
    redirectUris: REDIRECT,
    scopes: SCOPES,
    website: "https://example.org/masto-js",
  });
  const oauth = createOAuthAPIClient({ url: config.base_url });
  const token = await oauth.token.create({
    grantType: "client_credentials",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: REDIRECT,
    scope: "read",
  });
  const appClient = createRestAPIClient({ url: config.base_url, accessToken: token.accessToken });
  const me = await appClient.v1.apps.verifyCredentials();
  return {
    client_id: app.clientId,
    has_secret: Boolean(app.clientSecret),
    name: app.name,
    token_type: token.tokenType,
    app_name: me.name,
  };
};

scenarios.oauth_pkce = async (config) => {
  const user = config.users.carol;
  const anonymous = createRestAPIClient({ url: config.base_url });
  const app = await anonymous.v1.apps.create({
    clientName: "masto.js PKCE",
    redirectUris: REDIRECT,
    scopes: SCOPES,
  });
  // Discovery, as a careful client does: is S256 supported, where are the endpoints?
  const meta = await (await fetch(`${config.base_url}/.well-known/oauth-authorization-server`)).json();
  const verifier = randomBytes(48).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(12).toString("base64url");
  const authorize = new URL(meta.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: app.clientId,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: SCOPES,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  const got = await browserAuthorize(config.base_url, authorize.toString(), user.username, user.password);

  // A wrong verifier is refused (before the real exchange: a code is single use).
  const oauth = createOAuthAPIClient({ url: config.base_url });
  let wrongVerifier = "accepted";
  try {
    await oauth.token.create({
      grantType: "authorization_code",
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      redirectUri: REDIRECT,
      code: got.code,
      codeVerifier: randomBytes(48).toString("base64url"),
    });
  } catch (error) {
    wrongVerifier = `${error.constructor.name} ${error.statusCode ?? ""}`.trim();
  }
  // masto.js posts the token request as JSON.
  const got2 = wrongVerifier === "accepted" ? null : await browserAuthorize(
    config.base_url, authorize.toString(), user.username, user.password,
  );
  const token = await oauth.token.create({
    grantType: "authorization_code",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri: REDIRECT,
    code: (got2 ?? got).code,
    codeVerifier: verifier,
    scope: SCOPES,
  });
  const client = createRestAPIClient({ url: config.base_url, accessToken: token.accessToken });
  const me = await client.v1.accounts.verifyCredentials();
  // revoke, then the token is refused
  await oauth.revoke({ clientId: app.clientId, clientSecret: app.clientSecret, token: token.accessToken });
  let afterRevoke = "accepted";
  try {
    await client.v1.accounts.verifyCredentials();
  } catch (error) {
    afterRevoke = error.statusCode ?? String(error);
  }
  return {
    token_endpoint: meta.token_endpoint,
    methods: meta.code_challenge_methods_supported,
    state_sent: state,
    state_back: got.state,
    logins: got.logins,
    wrong_verifier: wrongVerifier,
    scope: token.scope,
    username: me.username,
    after_revoke: afterRevoke,
  };
};

scenarios.verify_credentials = async (config) => {
  const me = await api(config, "alice").v1.accounts.verifyCredentials();
  return {
    id: me.id,
    username: me.username,
    acct: me.acct,
    source_privacy: me.source?.privacy ?? null,
    created_at: me.createdAt,
  };
};

scenarios.update_credentials = async (config) => {
  const client = api(config, "alice");
  const me = await client.v1.accounts.updateCredentials({
    displayName: "Alice (masto.js)",
    note: "Testing from the JavaScript client",
    avatar: new Blob([await png(64, 64)], { type: "image/png" }),
  });
  return { display_name: me.displayName, note: me.note, avatar: me.avatar };
};

scenarios.post_with_media = async (config) => {
  const client = api(config, "alice");
  const media = await client.v2.media.create({
    file: new Blob([await png()], { type: "image/png" }),
    description: "A gradient from masto.js",
  });
  const status = await client.v1.statuses.create({
    status: "Look at this #mastoclients gradient",
    mediaIds: [media.id],
    visibility: "public",
  });
  const fetched = await client.v1.statuses.$select(status.id).fetch();
  const image = await fetch(fetched.mediaAttachments[0].url);
  return {
    status: brief(status),
    media: {
      id: media.id,
      type: media.type,
      url: media.url,
      description: media.description,
      blurhash: media.blurhash,
    },
    fetched_media_ids: fetched.mediaAttachments.map((m) => m.id),
    image_status: image.status,
    image_type: image.headers.get("content-type"),
  };
};

scenarios.statuses = async (config) => {
  const alice = api(config, "alice");
  const bob = api(config, "bob");
  const root = await alice.v1.statuses.create({ status: "A thread from masto.js", visibility: "public" });
  const reply = await bob.v1.statuses.create({ status: "A reply", inReplyToId: root.id });
  const context = await alice.v1.statuses.$select(root.id).context.fetch();
  const fav = await bob.v1.statuses.$select(root.id).favourite();
  const boost = await bob.v1.statuses.$select(root.id).reblog();
  const idem = randomBytes(8).toString("hex");
  const once = await alice.v1.statuses.create(
    { status: "Posted once", visibility: "unlisted" },
    { requestInit: { headers: { "Idempotency-Key": idem } } },
  );
  const twice = await alice.v1.statuses.create(
    { status: "Posted once", visibility: "unlisted" },
    { requestInit: { headers: { "Idempotency-Key": idem } } },
  );
  const edited = await alice.v1.statuses.$select(root.id).update({ status: "A thread from masto.js (edited)" });
  const history = await alice.v1.statuses.$select(root.id).history.list();
  await alice.v1.statuses.$select(once.id).remove();
  return {
    root: root.id,
    reply: reply.id,
    reply_in_reply_to: reply.inReplyToId,
    context_descendants: context.descendants.map((s) => s.id),
    favourited: fav.favourited,
    reblog_of: boost.reblog?.id ?? null,
    idempotent_same: once.id === twice.id,
    edited_content: edited.content,
    history_len: history.length,
  };
};

scenarios.timelines = async (config) => {
  const alice = api(config, "alice");
  const bob = api(config, "bob");
  const bobMe = await bob.v1.accounts.verifyCredentials();
  await alice.v1.accounts.$select(bobMe.id).follow();
  const tag = "mastotimeline";
  // Two public posts of its own, so paging the public timeline by one always has two pages
  // whatever else this server holds.
  await bob.v1.statuses.create({ status: "An earlier public post from masto.js", visibility: "public" });
  const status = await bob.v1.statuses.create({ status: `Timelines from masto.js #${tag}`, visibility: "public" });
  const ids = (list) => list.map((s) => s.id);
  const home = await waitFor(async () => {
    const page = ids(await alice.v1.timelines.home.list({ limit: 40 }));
    return page.includes(status.id) ? page : null;
  }) ?? ids(await alice.v1.timelines.home.list({ limit: 40 }));
  const pub = ids(await alice.v1.timelines.public.list({ limit: 40 }));
  const local = ids(await alice.v1.timelines.public.list({ limit: 40, local: true }));
  const tagged = ids(await alice.v1.timelines.tag.$select(tag).list());
  // Paging through the Link header with the async iterator.
  const pages = [];
  for await (const page of alice.v1.timelines.public.list({ limit: 1 })) {
    pages.push(ids(page));
    if (pages.length === 2) break;
  }
  return { status: status.id, home, public: pub, local, tag: tagged, pages };
};

scenarios.notifications = async (config) => {
  const alice = api(config, "alice");
  const dave = api(config, "dave");
  const aliceMe = await alice.v1.accounts.verifyCredentials();
  const post = await alice.v1.statuses.create({ status: "Notify me, masto.js", visibility: "public" });
  await dave.v1.accounts.$select(aliceMe.id).follow();
  await dave.v1.statuses.$select(post.id).favourite();
  const mention = await dave.v1.statuses.create({ status: `@${aliceMe.acct} hello from masto.js` });
  await waitFor(async () => (await alice.v1.notifications.list({ limit: 30 })).length >= 3);
  const items = await alice.v1.notifications.list({ limit: 30 });
  const mentionsOnly = await alice.v1.notifications.list({ types: ["mention"] });
  const grouped = await alice.v2.notifications.list({ limit: 30 });
  const unread = await alice.v1.notifications.unreadCount.fetch().catch((e) => ({ error: String(e) }));
  return {
    post: post.id,
    mention: mention.id,
    items: items.map((n) => ({ type: n.type, account: n.account.acct, status: n.status?.id ?? null })),
    mention_only_types: [...new Set(mentionsOnly.map((n) => n.type))].sort(),
    grouped_types: [...new Set(grouped.notificationGroups.map((g) => g.type))].sort(),
    grouped_accounts: grouped.accounts.map((a) => a.acct).sort(),
    unread,
  };
};

scenarios.follows = async (config) => {
  const alice = api(config, "alice");
  const carol = api(config, "carol");
  const erin = api(config, "erin");
  const carolId = (await carol.v1.accounts.verifyCredentials()).id;
  const erinId = (await erin.v1.accounts.verifyCredentials()).id;
  const aliceId = (await alice.v1.accounts.verifyCredentials()).id;
  const followed = await alice.v1.accounts.$select(carolId).follow();
  const followers = (await alice.v1.accounts.$select(carolId).followers.list()).map((a) => a.acct);
  const [rel] = await alice.v1.accounts.relationships.fetch({ id: [carolId] });
  const unfollowed = await alice.v1.accounts.$select(carolId).unfollow();
  const requested = await alice.v1.accounts.$select(erinId).follow();
  const pending = (await erin.v1.followRequests.list()).map((a) => a.acct);
  const approved = await erin.v1.followRequests.$select(aliceId).authorize();
  const [after] = await alice.v1.accounts.relationships.fetch({ id: [erinId] });
  await alice.v1.accounts.$select(erinId).unfollow();
  return {
    followed: followed.following,
    followers_of_carol: followers,
    rel_following: rel.following,
    unfollowed: unfollowed.following,
    requested: requested.requested,
    requested_following: requested.following,
    pending,
    approved_followed_by: approved.followedBy,
    after_following: after.following,
  };
};

scenarios.search = async (config) => {
  const alice = api(config, "alice");
  const bob = api(config, "bob");
  const bobAcct = (await bob.v1.accounts.verifyCredentials()).acct;
  const tag = "mastosearchtag";
  await bob.v1.statuses.create({ status: `Searchable #${tag}`, visibility: "public" });
  const accounts = await alice.v2.search.list({ q: bobAcct, type: "accounts" });
  const tags = await alice.v2.search.list({ q: tag, type: "hashtags" });
  const everything = await alice.v2.search.list({ q: bobAcct });
  const lookup = await alice.v1.accounts.lookup({ acct: bobAcct });
  return {
    bob: bobAcct,
    accounts: accounts.accounts.map((a) => a.acct),
    hashtags: tags.hashtags.map((t) => t.name),
    keys: Object.keys(everything).sort(),
    lookup: lookup.acct,
  };
};

async function streamScenario(config, subscribeTo, post) {
  const alice = api(config, "alice");
  const instance = await alice.v2.instance.fetch();
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: config.users.alice.token,
    retry: 3,
  });
  const events = [];
  const errors = [];
  let posted = null;
  let received = false;
  try {
    await streaming.prepare();
    const subscription = subscribeTo(streaming);
    const reader = (async () => {
      for await (const event of subscription) {
        events.push(event.event);
        if (event.event === "update" && posted && event.payload.id === posted.id) {
          received = true;
          return;
        }
      }
    })().catch((error) => errors.push(String(error)));
    await sleep(700); // let the subscription settle server-side
    posted = await post(alice);
    await Promise.race([reader, sleep(10_000)]);
    subscription.unsubscribe();
  } catch (error) {
    errors.push(String(error));
  } finally {
    streaming.close();
  }
  return { streaming_url: instance.configuration.urls.streaming, posted_id: posted?.id ?? null, received, events, errors };
}

scenarios.streaming_user = (config) =>
  streamScenario(
    config,
    (s) => s.user.subscribe(),
    (alice) => alice.v1.statuses.create({ status: "Streamed by masto.js", visibility: "public" }),
  );

scenarios.streaming_hashtag = (config) =>
  streamScenario(
    config,
    (s) => s.hashtag.subscribe({ tag: "mastostream" }),
    (alice) => alice.v1.statuses.create({ status: "Streamed #mastostream", visibility: "public" }),
  );

scenarios.streaming_public = (config) =>
  streamScenario(
    config,
    (s) => s.public.local.subscribe(),
    (alice) => alice.v1.statuses.create({ status: "Streamed publicly by masto.js", visibility: "public" }),
  );

async function main() {
  const name = process.argv[2];
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  const config = JSON.parse(input);
  let outcome;
  try {
    if (!scenarios[name]) throw new Error(`no scenario ${name}`);
    outcome = { ok: true, result: await scenarios[name](config) };
  } catch (error) {
    const details = error.statusCode ? ` (HTTP ${error.statusCode}: ${JSON.stringify(error.description ?? error.message)})` : "";
    outcome = { ok: false, error: `${error.constructor?.name ?? "Error"}: ${error.message}${details}`, traceback: error.stack };
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
}

main();
