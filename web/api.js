// The API, as the page calls it: JSON in and out, the sign-in's headers when the deployment
// asks for them, and every failure as an ApiError carrying the API's error code and message.

export class ApiError extends Error {
  constructor(code, message, status = null, details = {}, request = null) {
    super(message || code);
    this.code = code;
    this.status = status;
    this.details = details;
    this.request = request; // the body sent, for what the page shows of the images it made
  }
}

export class Api {
  constructor(config, auth = null) {
    this.base = config.apiUrl.endsWith("/") ? config.apiUrl : config.apiUrl + "/";
    this.config = config;
    this.auth = auth;
  }

  async call(method, path, body = undefined) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.auth) Object.assign(headers, await this.auth.headers(this.config));
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (exc) {
      throw new ApiError("network", `${method} /${path.split("?")[0]} could not be sent (${exc.message})`);
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      throw new ApiError("not_json", `${method} /${path.split("?")[0]} answered HTTP ${response.status}`, response.status);
    }
    if (!response.ok) {
      const error = (answer && answer.error) || {};
      const id = response.headers.get("X-Request-Id");
      const message = error.message || `HTTP ${response.status}` + (id ? ` (request id ${id})` : "");
      throw new ApiError(error.code || "internal_error", message, response.status, error, body === undefined ? null : body);
    }
    return answer;
  }

  models() {
    return this.call("GET", "models");
  }

  images(cursor = null, limit = 24) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set("cursor", cursor);
    return this.call("GET", `images?${query}`);
  }

  image(id, cursor = null) {
    return this.call("GET", `images/${encodeURIComponent(id)}` + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""));
  }

  generate(body) {
    return this.call("POST", "generate-image", body);
  }

  modify(body) {
    return this.call("POST", "modify-image", body);
  }

  refine(body) {
    return this.call("POST", "refine-image", body);
  }

  job(id) {
    return this.call("GET", `jobs/${encodeURIComponent(id)}`);
  }
}
