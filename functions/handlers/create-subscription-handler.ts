import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { SubscribeRequests } from '../app/ports.ts';
import {
  checkLink,
  confirmSubscription,
  inspectConfirmLink,
  type LinkDeps,
  type LinkProblem,
  unsubscribeByToken,
} from '../app/subscriptions.ts';
import { describeError } from '../core/errors.ts';
import { siteUrl } from '../core/paths.ts';
import * as pages from '../core/site/subscription-pages.ts';
import { type ResultCode, renderResultPage } from '../core/site/subscription-results.ts';
import { API_PATHS, type ApiEndpoint, resultUrl } from '../core/subscribers/links.ts';
import type { ConfirmOutcome } from '../core/subscribers/subscriber.ts';
import { parseBody, readSubscribeFields } from '../core/subscribers/subscription-request.ts';

export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type SubscriptionHandler = (event: ApiEvent) => Promise<ApiResult>;

/** The links' dependencies, and the queue subscribe requests go on (see create-confirmation-handler.ts). */
export interface ApiDeps extends LinkDeps {
  requests: SubscribeRequests;
}

const ALLOWED: Record<ApiEndpoint, string> = { subscribe: 'POST', confirm: 'GET, POST', unsubscribe: 'GET, POST' };

/**
 * The subscription API behind the site's own origin (`/api/*`). Decodes the HTTP request, calls the use case and
 * answers with a page (or JSON, when the request was JSON). A GET never changes anything: mail scanners follow
 * links, so confirming and unsubscribing take a POST (RFC 8058's one-click POST included).
 *
 * A form's POST answers 303 See Other to `?result=<code>` on the same endpoint (POST/redirect/GET), so a refresh
 * or the back button never sends it again; the GET renders the page the code names (subscription-results.ts). A
 * refused form is shown again at once, with what was typed. The one-click POST comes from a mail client, not a
 * browser, and keeps its plain 200.
 *
 * A subscribe request is only checked and queued here: reading the list and mailing happen in the confirmation
 * sender, so the answer neither says nor, by how long it takes, hints whether the address is on the list.
 */
export const createSubscriptionHandler = (deps: ApiDeps): SubscriptionHandler => {
  const respond = responder(deps);
  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    const endpoint = endpointOf(event.rawPath);
    if (endpoint === undefined)
      return respond.page(404, pages.renderErrorPage(deps.site, 404, 'There is no page here.'));
    if (!ALLOWED[endpoint].split(', ').includes(method) && !(endpoint === 'subscribe' && method === 'GET')) {
      return {
        ...respond.page(405, pages.renderErrorPage(deps.site, 405, `This address does not accept ${method} requests.`)),
        headers: { ...respond.headers, allow: ALLOWED[endpoint] },
      };
    }
    const request: ApiRequest = {
      method,
      query: new URLSearchParams(event.rawQueryString ?? ''),
      body:
        event.body === undefined
          ? ''
          : event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body,
      contentType: event.headers['content-type'],
    };
    if (method === 'GET' && request.query.has('result')) {
      const result = renderResultPage(deps.site, endpoint, request.query.get('result') ?? '');
      return result
        ? respond.page(result.status, result.document)
        : respond.page(404, pages.renderErrorPage(deps.site, 404, 'There is no page here.'));
    }
    try {
      if (endpoint === 'subscribe') {
        // The form lives on the site; a bookmarked or typed GET goes there.
        if (method === 'GET') return respond.redirect(siteUrl(deps.site, 'subscribe/'));
        return await subscribe(deps, respond, request);
      }
      if (endpoint === 'confirm') return await confirm(deps, respond, request);
      return await unsubscribe(deps, respond, request);
    } catch (error) {
      deps.log.error('subscription request failed', {
        endpoint,
        method,
        error: describeError(error, { named: true }),
      });
      return respond.page(
        503,
        pages.renderErrorPage(deps.site, 503, 'Something went wrong on our side. Please try again in a minute.'),
      );
    }
  };
};

const endpointOf = (rawPath: string): ApiEndpoint | undefined => {
  for (const [endpoint, path] of Object.entries(API_PATHS)) {
    if (rawPath === `/${path}` || rawPath.endsWith(`/${path}`) || rawPath.endsWith(`/${path}/`)) {
      return endpoint as ApiEndpoint;
    }
  }
  return undefined;
};

type Respond = ReturnType<typeof responder>;

const responder = (deps: ApiDeps) => {
  const origin = new URL(deps.site.baseUrl).origin;
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': `default-src 'none'; style-src ${origin}; img-src ${origin}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  };
  return {
    headers,
    page: (statusCode: number, document: string): ApiResult => ({
      statusCode,
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
      body: document,
    }),
    json: (statusCode: number, value: Record<string, unknown>): ApiResult => ({
      statusCode,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(value),
    }),
    redirect: (location: string): ApiResult => ({ statusCode: 303, headers: { ...headers, location }, body: '' }),
    result: <E extends ApiEndpoint>(endpoint: E, code: ResultCode<E>): ApiResult => ({
      statusCode: 303,
      headers: { ...headers, location: resultUrl(deps.site, endpoint, code) },
      body: '',
    }),
  };
};

/** The parts of an HTTP request the endpoints read, the body decoded. */
interface ApiRequest {
  method: string;
  query: URLSearchParams;
  body: string;
  contentType: string | undefined;
}

const subscribe = async (deps: ApiDeps, respond: Respond, { body, contentType }: ApiRequest): Promise<ApiResult> => {
  const parsed = parseBody(body, contentType);
  const json = parsed.ok ? parsed.format === 'json' : (contentType ?? '').includes('json');
  const fields = parsed.ok ? readSubscribeFields(parsed.fields) : parsed;
  if (!fields.ok) {
    if (json)
      return respond.json(fields.status, { error: fields.message, ...(fields.field ? { field: fields.field } : {}) });
    const typed = parsed.ok
      ? { email: parsed.fields.get('email') ?? '', name: parsed.fields.get('name') ?? '' }
      : { email: '', name: '' };
    const errorField = fields.field === 'name' ? { errorField: 'name' as const } : {};
    return respond.page(
      fields.status,
      pages.renderFormErrorPage(deps.site, { ...typed, error: fields.message, ...errorField }),
    );
  }
  const request = fields.value;
  if (request.bot) {
    deps.log.warn('subscribe ignored: honeypot filled');
  } else {
    await deps.requests.submit({
      address: request.address,
      key: request.key,
      ...(request.name ? { name: request.name } : {}),
      via: json ? 'api' : 'form',
      requestedAt: deps.now().toISOString(),
    });
  }
  // The same answer whatever the address's state, so the form cannot tell anyone who is on the list.
  return json ? respond.json(202, { status: 'check-your-inbox' }) : respond.result('subscribe', 'check-your-inbox');
};

const linkProblemPage = (
  deps: ApiDeps,
  respond: Respond,
  problem: LinkProblem | 'used',
  purpose: 'confirm' | 'unsubscribe',
): ApiResult =>
  respond.page(problem === 'invalid' ? 400 : 410, pages.renderLinkProblemPage(deps.site, problem, purpose));

const tokenFrom = ({ query, body, contentType }: Omit<ApiRequest, 'method'>): string => {
  const parsed = body ? parseBody(body, contentType) : undefined;
  return (parsed?.ok ? parsed.fields.get('token') : undefined) ?? query.get('token') ?? '';
};

const confirm = async (deps: ApiDeps, respond: Respond, request: ApiRequest): Promise<ApiResult> => {
  const { method, query } = request;
  if (method === 'GET') {
    const token = query.get('token') ?? '';
    const outcome = await inspectConfirmLink(deps, token);
    if (outcome === 'ready') return respond.page(200, pages.renderConfirmPage(deps.site, token));
    const result = renderResultPage(deps.site, 'confirm', confirmResult(outcome));
    return result ? respond.page(result.status, result.document) : linkProblemPage(deps, respond, 'invalid', 'confirm');
  }
  return respond.result('confirm', confirmResult(await confirmSubscription(deps, tokenFrom(request))));
};

const confirmResult = (outcome: ConfirmOutcome | LinkProblem): ResultCode<'confirm'> => {
  switch (outcome) {
    case 'confirmed':
    case 'already-confirmed':
    case 'suppressed':
      return outcome;
    case 'unknown':
    case 'used':
      return 'link-used';
    case 'expired':
      return 'link-expired';
    default:
      return 'link-invalid';
  }
};

const unsubscribe = async (deps: ApiDeps, respond: Respond, request: ApiRequest): Promise<ApiResult> => {
  const { method, query, body } = request;
  if (method === 'GET') {
    const token = query.get('token') ?? '';
    const check = checkLink(deps, token, 'unsubscribe');
    return check.ok
      ? respond.page(200, pages.renderUnsubscribePage(deps.site, token))
      : linkProblemPage(deps, respond, check.problem, 'unsubscribe');
  }
  // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the URL from the header, token in the query.
  // Form-encoded or multipart, both allowed by the RFC: the token is in the URL either way.
  const oneClick = body.includes('List-Unsubscribe') && body.includes('One-Click');
  const outcome = await unsubscribeByToken(
    deps,
    tokenFrom({ ...request, body: oneClick ? '' : body }),
    oneClick ? 'one-click' : 'page',
  );
  const code: ResultCode<'unsubscribe'> =
    outcome === 'invalid' || outcome === 'expired'
      ? `link-${outcome}`
      : outcome === 'already-unsubscribed'
        ? 'already-unsubscribed'
        : 'unsubscribed';
  if (!oneClick) return respond.result('unsubscribe', code);
  // A mail client reads the status, not a page, and follows no redirect.
  const result = renderResultPage(deps.site, 'unsubscribe', code);
  return respond.page(result?.status ?? 200, result?.document ?? '');
};
