// Azure resources for the "dev" environment (m365agents.yml → arm/deploy): an App Service plan, the Web App
// that runs the bot, and the Azure Bot resource with the Teams channel and the OAuth connection for card
// sign-in (botRegistration/azurebot.bicep). The outputs are written back into env/.env.<env> by the Agents
// Toolkit.

@maxLength(20)
@minLength(4)
@description('Used to generate names for all resources in this file')
param resourceBaseName string

param webAppSKU string = 'B1'

@maxLength(42)
param botDisplayName string

@description('The Entra app registration: bot identity, SSO audience and on-behalf-of client')
param aadAppClientId string
@secure()
param aadAppClientSecret string
param aadAppTenantId string
param aadAppOauthAuthorityHost string = 'https://login.microsoftonline.com'
param aadAppIdUri string
@description('The Azure Bot OAuth connection approvers sign in through when silent SSO is not enough')
param oauthConnectionName string = 'approver-sign-in'
param allowedTenantIds string = ''
param adminUserIds string = ''
param location string = resourceGroup().location

resource serverfarm 'Microsoft.Web/serverfarms@2023-01-01' = {
  kind: 'app,linux'
  location: location
  name: resourceBaseName
  sku: {
    name: webAppSKU
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-01-01' = {
  kind: 'app,linux'
  location: location
  name: resourceBaseName
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'npm start'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/healthz'
      appSettings: [
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'NODE_ENV', value: 'production' }
        { name: 'PORT', value: '8080' }
        { name: 'BOT_ID', value: aadAppClientId }
        { name: 'BOT_PASSWORD', value: aadAppClientSecret }
        { name: 'BOT_TYPE', value: 'SingleTenant' }
        { name: 'BOT_TENANT_ID', value: aadAppTenantId }
        { name: 'AAD_APP_CLIENT_ID', value: aadAppClientId }
        { name: 'AAD_APP_CLIENT_SECRET', value: aadAppClientSecret }
        { name: 'AAD_APP_TENANT_ID', value: aadAppTenantId }
        { name: 'AAD_APP_OAUTH_AUTHORITY_HOST', value: aadAppOauthAuthorityHost }
        { name: 'AAD_APP_ID_URI', value: aadAppIdUri }
        { name: 'OAUTH_CONNECTION_NAME', value: oauthConnectionName }
        { name: 'ALLOWED_TENANT_IDS', value: allowedTenantIds }
        { name: 'ADMIN_USER_IDS', value: adminUserIds }
        { name: 'DATA_DIR', value: '/home/data/chatops' }
      ]
    }
  }
}

// The Azure Bot resource: Bot Framework sends Teams activities to the Web App's /api/messages.
module azureBot './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    botServiceName: resourceBaseName
    botDisplayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    aadAppClientId: aadAppClientId
    aadAppClientSecret: aadAppClientSecret
    aadAppTenantId: aadAppTenantId
    aadAppIdUri: aadAppIdUri
    oauthConnectionName: oauthConnectionName
  }
}

// Persisted in env/.env.<env>. Visit https://aka.ms/teamsfx-actions/arm-deploy for details.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
