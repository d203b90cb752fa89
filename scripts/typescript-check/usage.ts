// A small program written the way a TypeScript user of the published description would write it.
// `nox -s publish` generates ../../dist/typescript/megaapi.d.ts with openapi-typescript and type-checks this file
// with `tsc --strict --noEmit`, so a spec change that breaks generated TypeScript types fails the session.
import type { components, paths, webhooks } from "../../dist/typescript/megaapi";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

type SendText = paths["/rest/sendMessage/{instance_key}/text"]["post"];
type SendTextBody = Json<SendText["requestBody"]>;
type SendTextOk = Json<SendText["responses"][200]>;
type ErrorBody = components["schemas"]["ErrorResponse"];

export const hello: SendTextBody = { messageData: { to: "5511999999999@s.whatsapp.net", text: "Olá!" } };

// @ts-expect-error `text` is required by the description.
export const missingText: SendTextBody = { messageData: { to: "5511999999999" } };

export function sentId(reply: SendTextOk): string | undefined {
  return reply.messageData?.key?.id;
}

export function failed(reply: SendTextOk | ErrorBody): boolean {
  return reply.error === true;
}

type Location = Json<paths["/rest/sendMessage/{instance_key}/location"]["post"]["requestBody"]>;
export const pin: Location = { messageData: { to: "120363042378568057@g.us", latitude: -15.78, longitude: -47.93 } };

type GroupParticipants = Json<paths["/rest/group/{instance_key}/addParticipants"]["post"]["requestBody"]>;
export const add: GroupParticipants = {
  group_data: { jid: "120363042378568057@g.us", participants: ["5511999999999@s.whatsapp.net"] },
};

type Status = Json<paths["/rest/instance/{instance_key}"]["get"]["responses"][200]>;
export function connected(status: Status): boolean {
  return status.instance?.user !== undefined;
}

// The catch-all `UnknownEvent` keeps `messageType` open (TypeScript cannot express its `not`), so narrow to the
// event types a program handles with a type guard before switching on `messageType`.
type Event = Json<webhooks["megaapiEvent"]["post"]["requestBody"]>;
type Schemas = components["schemas"];
type Handled = Schemas["ConversationEvent"] | Schemas["MessageAckEvent"] | Schemas["ConnectionUpdateEvent"];
const handled: ReadonlySet<string> = new Set(["conversation", "message.ack", "connection_update"]);

function isHandled(event: Event): event is Handled {
  return handled.has(event.messageType);
}

export function describe(event: Event): string {
  if (!isHandled(event)) {
    return `event ${event.messageType}`;
  }
  switch (event.messageType) {
    case "conversation":
      return `text from ${event.key.remoteJid}: ${event.message.conversation ?? ""}`;
    case "message.ack":
      return `ack ${String(event.update?.status)} for ${event.key?.id ?? "?"}`;
    case "connection_update":
      return `connection: ${event.message ?? event.connection_state ?? "?"}`;
  }
}
