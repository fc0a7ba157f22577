import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccessLevel,
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  Function as ViewerFunction,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FILE_EXTENSIONS, SITE_FILES } from '../../functions/core/paths.ts';
import type { SiteConfig } from '../../functions/core/types.ts';
import { ACCESS_LOG_PREFIXES, type AccessLogBucket } from './access-log-bucket.ts';
import { type ContentBucket, SITE_PREFIX } from './content-bucket.ts';

/**
 * CloudFront Function (cloudfront-js-2.0) run on viewer requests. S3 through OAC has no index documents, so
 * `/posts/hello/` becomes `/posts/hello/index.html`, and an extensionless path (`/posts/hello`) is redirected to its
 * trailing-slash form so relative links in the page resolve against the right folder. A last segment with a known
 * file extension (or any dot under `/posts/`, where uploads are) is a file; one with another dot is a page kept at
 * its old address (`/blog/julia-0.7`), served from `julia-0.7.html` (paths.ts fileNameKind). The redirect's Location starts with exactly one `/`: a request for `//evil.example/x`
 * (or `/\evil.example/x`, which browsers read the same way) would otherwise send the reader to
 * `//evil.example/x/`, another host; its leading slashes are collapsed, so it goes to `/evil.example/x/` here.
 */
export const INDEX_REWRITE_CODE = `var FILE_EXTENSIONS = ${JSON.stringify(Object.fromEntries(FILE_EXTENSIONS.map((extension) => [extension, 1])))};
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var name = uri.substring(uri.lastIndexOf('/') + 1);
  var dot = name.lastIndexOf('.');
  if (dot !== -1) {
    if (/^\\/posts\\//.test(uri) || Object.prototype.hasOwnProperty.call(FILE_EXTENSIONS, name.substring(dot + 1).toLowerCase())) return request;
    request.uri = uri + '.html';
    return request;
  }
  var query = [];
  var params = request.querystring || {};
  Object.keys(params).forEach(function (key) {
    var param = params[key];
    var values = param.multiValue ? param.multiValue : [param];
    values.forEach(function (entry) {
      query.push(entry.value === '' ? key : key + '=' + entry.value);
    });
  });
  var path = uri.replace(/^[\\/\\\\]+/, '/');
  var location = (path === '/' ? '' : path) + '/' + (query.length > 0 ? '?' + query.join('&') : '');
  return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: location } } };
}
`;

/**
 * CloudFront Function (cloudfront-js-2.0) run on viewer responses: an alias file (an old address of a post, see
 * functions/core/site/redirects.ts) carries its target as the S3 user metadata `redirect-to`, which reaches the edge
 * as the response header `x-amz-meta-redirect-to`. Such a response becomes a `301 Moved Permanently` to that target
 * (a site path stays relative to the host; an absolute URL is used as it is), cached by browsers for five minutes,
 * and the metadata header is dropped. The alias page stays the body, for clients that ignore the status.
 * The target is used only when it passes the rule of `isRedirectLocation` (printable ASCII; one `/` and not `//`
 * or `/\`, or http(s)://), repeated here because a CloudFront Function cannot import; tests check they agree.
 * Any other response, or one whose target fails the rule, passes untouched.
 *
 * That a viewer-response function may do this: the CloudFront Developer Guide, "Determine function purpose"
 * (function-code-choose-purpose.html), says a viewer-response function can modify the HTTP response before it is
 * sent to the viewer, whether it comes from the cache or the origin, for example its headers and status code; and
 * "CloudFront Functions event structure" (functions-event-structure.html) describes `event.response` with
 * `statusCode`, `statusDescription` and `headers` (lower-case names, `{ value }`), which the function returns.
 * It runs on cache hits too, so the object is cached once and every reader gets the 301.
 */
export const ALIAS_REDIRECT_CODE = `function handler(event) {
  var response = event.response;
  var headers = response.headers;
  var stored = headers['x-amz-meta-redirect-to'];
  if (!stored || typeof stored.value !== 'string') return response;
  var location = stored.value;
  var printable = /^[\\x21-\\x7e]+$/.test(location);
  var sitePath = location.charAt(0) === '/' && location.charAt(1) !== '/' && location.charAt(1) !== '\\\\';
  var absolute = /^https?:\\/\\//i.test(location);
  if (!printable || !(sitePath || absolute)) return response;
  delete headers['x-amz-meta-redirect-to'];
  response.statusCode = 301;
  response.statusDescription = 'Moved Permanently';
  headers['location'] = { value: location };
  headers['cache-control'] = { value: 'public, max-age=300' };
  return response;
}
`;

/** Requests under this path go to the subscription API instead of the bucket. */
export const API_PATH_PATTERN = '/api/*';

/**
 * Content-Security-Policy for pages with no scripts: styles, fonts and images from the site itself, images and media
 * from any https host (posts link to them), and iframes only from the hosts the sanitizer lets through. Forms may
 * post to the site itself only: the subscribe form and the confirm and unsubscribe pages of the API under `/api/`,
 * which is on the same origin and served with this same policy (plain HTML and the site's stylesheet, no scripts).
 */
export const contentSecurityPolicyFor = (site: Pick<SiteConfig, 'baseUrl' | 'iframeHosts'>): string => {
  // Pages link the stylesheet by absolute URL (baseUrl), which is not 'self' until the custom domain arrives.
  const self = `'self' ${new URL(site.baseUrl).origin}`;
  const frames = site.iframeHosts.length > 0 ? site.iframeHosts.map((host) => `https://${host}`).join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'none'",
    `style-src ${self}`,
    `font-src ${self}`,
    `img-src ${self} https: data:`,
    `media-src ${self} https:`,
    `frame-src ${frames}`,
    "object-src 'none'",
    "base-uri 'none'",
    `form-action ${self}`,
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
};

export interface SiteDistributionProps {
  /** Only the bucket's `site/` prefix is served, and readable by the distribution. */
  content: ContentBucket;
  /** Receives the CloudFront standard logs. */
  accessLogs: AccessLogBucket;
  /** With `domain`, the distribution answers on that host name with its certificate. */
  site: Pick<SiteConfig, 'title' | 'baseUrl' | 'iframeHosts' | 'domain'>;
  /** The subscription API's host (execute-api), served under `/api/*`; without it the site has no API. */
  apiOriginDomainName?: string;
}

/** The public site: a CloudFront distribution serving the bucket's `site/` prefix through Origin Access Control. */
export class SiteDistribution extends Construct {
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: SiteDistributionProps) {
    super(scope, id);
    const contentBucket = props.content.bucket;

    // The origin gets a reference to the bucket rather than the bucket itself, so CDK cannot add its own policy
    // statement, which would grant s3:GetObject on every key (drafts under posts/ included). The statement below
    // grants site/* only.
    const siteFiles = Bucket.fromBucketAttributes(this, 'SiteFiles', {
      bucketArn: contentBucket.bucketArn,
      bucketName: contentBucket.bucketName,
      bucketRegionalDomainName: contentBucket.bucketRegionalDomainName,
    });
    const origin = S3BucketOrigin.withOriginAccessControl(siteFiles, {
      originPath: `/${SITE_PREFIX.replace(/\/$/, '')}`,
      originAccessLevels: [AccessLevel.READ],
    });

    const indexRewrite = new ViewerFunction(this, 'IndexRewrite', {
      code: FunctionCode.fromInline(INDEX_REWRITE_CODE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Serves index.html for folder paths; redirects extensionless paths to folder paths',
    });
    const aliasRedirect = new ViewerFunction(this, 'AliasRedirect', {
      code: FunctionCode.fromInline(ALIAS_REDIRECT_CODE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Answers 301 for alias files (old addresses of posts), to their redirect-to metadata',
    });

    // TTLs bound what the origin's Cache-Control asks for: the publisher sends max-age=300 on feeds and pages and
    // a day on images; the default applies only to an object stored without Cache-Control.
    const cachePolicy = new CachePolicy(this, 'CachePolicy', {
      comment: 'Honours the Cache-Control the publisher writes',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.minutes(5),
      maxTtl: Duration.days(365),
      queryStringBehavior: CacheQueryStringBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const securityHeadersWith = (referrerPolicy: HeadersReferrerPolicy) => ({
      // No includeSubdomains: the future custom domain may have subdomains this site does not control.
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: false, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy, override: true },
      contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicyFor(props.site), override: true },
    });
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers for a static site without scripts',
      securityHeadersBehavior: securityHeadersWith(HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN),
    });

    const { domain } = props.site;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: props.site.title.slice(0, 128),
      // The certificate is checked at synth to be in us-east-1 (parseSiteConfig): CloudFront takes no other region's.
      ...(domain
        ? {
            domainNames: [domain.name],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      defaultRootObject: 'index.html',
      // The bucket answers 403 for a missing key (the distribution may not list it) and the API 404 for an unknown
      // path: readers get the site's own 404 page with a 404 status instead of S3's XML. Cached briefly, so a page
      // published a moment later is not hidden for long.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 404,
        responsePagePath: `/${SITE_FILES.notFound}`,
        ttl: Duration.minutes(1),
      })),
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: CachedMethods.CACHE_GET_HEAD,
        compress: true,
        cachePolicy,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [
          { function: indexRewrite, eventType: FunctionEventType.VIEWER_REQUEST },
          { function: aliasRedirect, eventType: FunctionEventType.VIEWER_RESPONSE },
        ],
      },
      additionalBehaviors: props.apiOriginDomainName
        ? {
            [API_PATH_PATTERN]: {
              origin: new HttpOrigin(props.apiOriginDomainName, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
              viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
              allowedMethods: AllowedMethods.ALLOW_ALL,
              cachedMethods: CachedMethods.CACHE_GET_HEAD,
              // Every answer depends on the token or form sent, and may change state: never from a cache.
              cachePolicy: CachePolicy.CACHING_DISABLED,
              // Query strings (the token), the form body, headers and cookies go through; the Host header does not,
              // because API Gateway routes by its own host name and answers 403 to the distribution's.
              originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
              responseHeadersPolicy: new ResponseHeadersPolicy(this, 'ApiSecurityHeaders', {
                comment: 'Security headers of the subscription pages: those of the site, and no referrer at all',
                // The confirm and unsubscribe pages are opened with their token in the query string; not even the
                // stylesheet request may carry that URL on as its Referer.
                securityHeadersBehavior: securityHeadersWith(HeadersReferrerPolicy.NO_REFERRER),
              }),
              // No index rewrite: it would redirect /api/confirm to /api/confirm/.
            },
          }
        : {},
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.accessLogs.bucket,
      logFilePrefix: ACCESS_LOG_PREFIXES.distribution,
      // Without a custom domain, no minimumProtocolVersion: the default *.cloudfront.net certificate fixes it at
      // TLSv1, and CDK ignores it with a warning.
    });

    contentBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowDistributionToReadSite',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [contentBucket.arnForObjects(`${SITE_PREFIX}*`)],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );

    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'Intended: the bucket policy statement granting site/* only is added by this construct.',
    );
    if (domain === undefined) {
      Annotations.of(this).acknowledgeWarning(
        '@aws-cdk/aws-cloudfront:emptyDomainNames',
        'No custom domain configured (domain in site.config.json): the site is served on its *.cloudfront.net name.',
      );
    }
    this.acknowledgeFindings(domain === undefined);
  }

  get domainName(): string {
    return this.distribution.distributionDomainName;
  }

  private acknowledgeFindings(defaultCertificate: boolean): void {
    const nag = Validations.of(this.distribution);
    nag.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'A public newsletter archive and feeds are meant for readers in every country; no geo restriction.',
    });
    nag.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'Static files with no scripts, and a subscription API (/api/*) of three form endpoints: the API stage is ' +
        'throttled (10 requests/s, bursts of 20), a confirmation mail goes to one address at most once per cooldown, ' +
        'and confirm and unsubscribe need a signed token. Shield Standard covers DDoS; a web ACL with rate-based ' +
        'rules (about $6 a month before requests) would cost more than the site it guards.',
    });
    if (defaultCertificate) {
      nag.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain is configured, and the default *.cloudfront.net certificate fixes the viewer security ' +
          'policy at TLSv1; with a custom domain (domain in site.config.json) TLS_V1_2_2021 is set.',
      });
    }
  }
}
