import { describe, expect, it } from "vitest";
import {
  BlockedUrlError,
  checkUrlShape,
  checkWebhookUrl,
  isPublicAddress,
} from "../../src/notifications/ssrf.ts";

describe("SSRF policy", () => {
  it.each([
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["255.255.255.255", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    // IPv4-compatible IPv6: the IPv4 inside decides.
    ["::127.0.0.1", false],
    ["::a9fe:a9fe", false],
    ["::10.0.0.1", false],
    ["8.8.8.8", true],
    ["172.32.0.1", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["not-an-ip", false],
  ])("%s public=%s", (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it("rejects bad schemes, credentials, private literals and loopback names unless allowed", async () => {
    for (const url of [
      "ftp://example.com/x",
      "file:///etc/passwd",
      "http://user:pw@example.com/",
      "http://127.0.0.1:9000/hook",
      "http://[::1]/hook",
      "http://[::127.0.0.1]/",
      "http://[::a9fe:a9fe]/",
      "http://169.254.169.254/latest/meta-data",
      "http://localhost:8080/",
      "not a url",
    ]) {
      expect(() => checkUrlShape(url, false), url).toThrow(BlockedUrlError);
    }
    expect(checkUrlShape("http://127.0.0.1:9000/hook", true).port).toBe("9000");
    expect(checkUrlShape("https://8.8.8.8/hook", false).hostname).toBe("8.8.8.8");
    // "localhost" resolves through /etc/hosts without network: the DNS step must refuse it too.
    await expect(checkWebhookUrl("http://localhost./hook", false)).rejects.toThrow(BlockedUrlError);
  });
});
