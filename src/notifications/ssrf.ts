import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import ipaddr from "ipaddr.js";

/**
 * Outbound webhook URLs are user input: without a check, a channel could make Vigil call its own
 * database, the cloud metadata endpoint (169.254.169.254) or anything else on the private network.
 * Only globally routable unicast addresses are allowed, unless VIGIL_ALLOW_PRIVATE_WEBHOOKS=true.
 */
export class BlockedUrlError extends Error {
  override name = "BlockedUrlError";
}

/**
 * True for a globally routable unicast address. An IPv6 address with an IPv4 address inside —
 * IPv4-mapped (::ffff:a.b.c.d) or the deprecated IPv4-compatible form (::a.b.c.d), which ipaddr
 * classes as plain unicast but stacks may route to the IPv4 — is judged as that IPv4 address.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let address = ipaddr.process(ip);
  if (address.kind() === "ipv6") {
    const parts = (address as ipaddr.IPv6).parts;
    if (parts.slice(0, 6).every((p) => p === 0)) {
      address = new ipaddr.IPv4([parts[6]! >> 8, parts[6]! & 0xff, parts[7]! >> 8, parts[7]! & 0xff]);
    }
  }
  // ipaddr's "unicast" is what remains after every special-purpose range (loopback, private,
  // link-local, unique-local, CGNAT, multicast, reserved, documentation, 6to4, teredo, ...).
  return address.range() === "unicast";
}

/** Static checks that need no DNS: scheme, credentials, IP-literal hosts. Returns the parsed URL. */
export function checkUrlShape(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedUrlError("not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new BlockedUrlError(`scheme ${url.protocol} is not allowed (http or https only)`);
  }
  if (url.username || url.password) throw new BlockedUrlError("credentials in the URL are not allowed");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate) {
    if (ipaddr.isValid(host) && !isPublicAddress(host)) {
      throw new BlockedUrlError(`${host} is not a public address`);
    }
    if (host === "localhost" || host.endsWith(".localhost")) {
      throw new BlockedUrlError(`${host} is a loopback name`);
    }
  }
  return url;
}

/** Resolves the URL's host and rejects it if any address is not public. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  const url = checkUrlShape(raw, allowPrivate);
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return url;
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))),
  ).catch((err: Error) => {
    throw new BlockedUrlError(`cannot resolve ${host}: ${err.message}`);
  });
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw new BlockedUrlError(`${host} resolves to ${bad.address}, which is not a public address`);
  return url;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that refuses non-public addresses at connect time, so a DNS answer
 * that changes between the check and the request (DNS rebinding) cannot reach the private network.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true } as { all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) {
        const error = new BlockedUrlError(
          `${hostname} resolves only to non-public addresses (${addresses.map((a) => a.address).join(", ")})`,
        ) as NodeJS.ErrnoException;
        return callback(error, []);
      }
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
