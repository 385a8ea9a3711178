// What each of the API's error codes means to a person, and what to do about it. The API's own
// message (which names the field, the value and the limit) is shown beside these words.
export const WORDS = {
  invalid_request: ["The request was refused", "Check the form and try again."],
  invalid_parameter: ["A value was refused", "Change the value the message names."],
  unsupported_task: ["This model cannot do that", "Pick another mode or model."],
  unknown_model: ["That model is not known", "Pick a model from the list."],
  invalid_image: ["The image cannot be used", "Use a PNG or JPEG within the limits shown."],
  request_too_large: ["The request is too large", "Use a smaller image or a smaller mask."],
  idempotency_key_reused: ["This request repeats an earlier one with changes", "Send it again as a new request."],
  image_not_found: ["The image is not in the store", "Reload the gallery: it may have been removed."],
  job_not_found: ["The refine job is not known", "Start the refinement again."],
  batch_not_found: ["The batch is not known", "Check the batch id, or submit the prompts again."],
  job_lost: ["The refine job's run was lost", "Refine again; the rounds it finished are kept, and their images are in the gallery."],
  evaluation_lost: ["The verdict was lost before it was stored", "Judge the image again."],
  item_failed: ["This batch item failed", "Submit the item again; the message says why it failed."],
  job_taken_over: ["Another run of the refine job took it over", "Wait: the job goes on, and its progress shows here."],
  content_filtered: ["The content filters blocked this", "Reword the prompt or use another image."],
  image_too_large: ["The image is too large for the model", "Use a smaller image."],
  throttled: ["Too many requests right now", "Wait a few seconds and try again."],
  quota_exceeded: ["This API key's quota is used up", "Wait for the quota to reset, or ask for a larger one."],
  no_time_left: ["There was not enough time to finish", "Try again: nothing was paid for."],
  request_in_progress: ["The same request is still running", "Wait a moment and try again."],
  model_access_denied: ["This account has no access to the model", "Ask for model access in the Bedrock console."],
  model_unavailable: ["The model is not available here", "Pick another model, or try later."],
  model_retired: ["The model is retired", "Pick a current model."],
  inference_profile_required: ["The model needs an inference profile", "Ask the operator to configure one."],
  credentials_missing: ["The service has no usable credentials", "Tell the operator: its AWS credentials need refreshing."],
  upstream_failure: ["The model failed", "Try again; if it keeps failing, try another model."],
  upstream_rejected_request: ["The model refused the request", "Change the values the message names."],
  upstream_unavailable: ["The model is unavailable for now", "Try again in a minute."],
  upstream_timeout: ["The model took too long", "Try again, perhaps with a smaller image."],
  storage_unavailable: ["The image store is unavailable for now", "Try again in a minute."],
  image_not_stored: ["The image was made but could not be stored", "Download it below: this page holds the only copy. Sending the same request again shows it again without paying; a changed request makes (and pays for) a new image."],
  metadata_lost: ["The image's details were lost", "The image is kept; reload to see what is known."],
  judge_answer_invalid: ["The judge gave an answer that could not be read", "Judge the image again."],
  configuration_error: ["The service is misconfigured", "Tell the operator."],
  no_such_route: ["The page asked for something the API does not serve", "Reload the page."],
  internal_error: ["The service failed unexpectedly", "Try again; quote the request id if you report it."],
  request_refused: ["The API refused the request", "Sign in again, or check that you may use this API."],
  sign_in_required: ["You are not signed in, or your sign-in has expired", "Reload the page to sign in again."],
  gateway_error: ["The API gateway failed", "Try again in a minute."],
  network: ["The API could not be reached", "Check the connection and that the service is running."],
  not_json: ["The API answered something that is not JSON", "Reload the page; tell the operator if it persists."],
  refused_in_page: ["This cannot be sent", "Change what the message names."],
};

const FALLBACK = ["The request failed", "Try again."];
const PAGE_FAULT = ["The page met a problem of its own", "Reload the page; if it happens again, tell the operator."];

/** One line for an error: what happened, the API's message, and what to do. Never "undefined",
 * never a stack trace: an error without a code is the page's own fault, shown in words only (and
 * logged to the console for whoever debugs it). */
export function describe(error) {
  if (!error || typeof error.code !== "string") {
    console.error("gallery page:", error);
    return { code: "page_fault", what: PAGE_FAULT[0], message: "", todo: PAGE_FAULT[1], status: null };
  }
  const [what, todo] = WORDS[error.code] || FALLBACK;
  const message = typeof error.message === "string" && error.message.trim() ? error.message.trim() : "";
  return { code: error.code, what, message, todo, status: error.status || null };
}
