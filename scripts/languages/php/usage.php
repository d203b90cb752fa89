<?php
// A PHP program against the client openapi-generator makes of openapi.yaml: it builds a request model, picks the
// {host} server variable and parses a webhook payload. The calls themselves need Guzzle (composer), so they sit in
// a function that `php -l` checks and that runs only when MEGAAPI_TOKEN is set.

spl_autoload_register(function (string $class): void {
    $prefix = 'MegaApi\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        require __DIR__ . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    }
});

use MegaApi\Configuration;
use MegaApi\ObjectSerializer;
use MegaApi\Model\ConversationEvent;
use MegaApi\Model\SendTextRequest;
use MegaApi\Model\TextMessage;

function check(bool $condition, string $what): void
{
    if (!$condition) {
        fwrite(STDERR, "failed: $what\n");
        exit(1);
    }
}

$config = Configuration::getDefaultConfiguration()->setAccessToken(getenv('MEGAAPI_TOKEN') ?: 'token');
$host = $config->getHostFromSettings(0, ['host' => 'api4']);
check($host === 'https://api4.megaapi.com.br', "the {host} variable gives $host");
$config->setHost($host);

$request = new SendTextRequest(['message_data' => new TextMessage(['to' => '5511999999999@s.whatsapp.net', 'text' => 'Olá'])]);
check($request->valid(), 'the request model is valid');
$wire = json_encode(ObjectSerializer::sanitizeForSerialization($request), JSON_UNESCAPED_UNICODE);
check($wire === '{"messageData":{"to":"5511999999999@s.whatsapp.net","text":"Olá"}}', "the request body is $wire");

// The generator's discriminator support reads a PHP property name, not `messageType`, so the class is picked here.
$payload = json_decode('{"messageType": "conversation", "key": {"remoteJid": "5511999999999@s.whatsapp.net",
    "fromMe": false, "id": "3EB0C767D26A1D4B1F9E"}, "message": {"conversation": "Oi"}}');
$event = ObjectSerializer::deserialize($payload, ConversationEvent::class);
check($event->getMessage()->getConversation() === 'Oi', 'the webhook payload parses');

function call_the_api(Configuration $config): void
{
    $key = (string) getenv('MEGAAPI_INSTANCE_KEY');
    $instance = new MegaApi\Api\InstanceApi(null, $config);
    $status = $instance->getInstanceStatus($key);
    echo json_encode(ObjectSerializer::sanitizeForSerialization($status)), "\n";
    $messages = new MegaApi\Api\MessagesApi(null, $config);
    $text = new SendTextRequest(['message_data' => new TextMessage(['to' => '5511999999999', 'text' => 'Oi'])]);
    echo json_encode(ObjectSerializer::sanitizeForSerialization($messages->sendText($key, $text))), "\n";
}

if (getenv('MEGAAPI_TOKEN')) {
    call_the_api($config);
}
