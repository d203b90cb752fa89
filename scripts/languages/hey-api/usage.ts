// A TypeScript program against the client @hey-api/openapi-ts makes of openapi.yaml: instance status, a text
// message, and a webhook payload whose messageType narrows it to the typed message.
import { client } from "./generated/client.gen";
import { getInstanceStatus, sendText } from "./generated/sdk.gen";
import type { KnownWebhookEvent, SendMessageResponse } from "./generated/types.gen";

client.setConfig({ baseUrl: "https://api4.megaapi.com.br", auth: () => "token" }); // the {host} server variable

export async function connected(instanceKey: string): Promise<boolean> {
  const { data } = await getInstanceStatus({ path: { instance_key: instanceKey } });
  return data?.instance?.user !== undefined;
}

export async function send(instanceKey: string, to: string, text: string): Promise<SendMessageResponse | undefined> {
  const { data } = await sendText({ path: { instance_key: instanceKey }, body: { messageData: { to, text } } });
  return data;
}

export function textOf(event: KnownWebhookEvent): string | undefined {
  if (event.messageType === "conversation") {
    return event.message.conversation;
  }
  if (event.messageType === "extendedTextMessage") {
    return event.message.extendedTextMessage?.text;
  }
  if (event.messageType === "message.ack") {
    return `ack ${String(event.update?.status)}`;
  }
  return undefined;
}

export function parse(body: string): KnownWebhookEvent {
  return JSON.parse(body) as KnownWebhookEvent;
}
