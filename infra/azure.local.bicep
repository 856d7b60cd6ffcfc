// Azure resources for the "local" environment (m365agents.local.yml → arm/deploy): only the Azure Bot, whose
// messaging endpoint is the dev tunnel to the bot on this machine, with its Teams channel and the OAuth
// connection for card sign-in. (A registration on dev.botframework.com has no OAuth connections.)

@maxLength(20)
@minLength(4)
@description('Used to generate names for all resources in this file')
param resourceBaseName string

@maxLength(42)
param botDisplayName string

@description('The dev tunnel, https://<host>')
param botEndpoint string

param aadAppClientId string
@secure()
param aadAppClientSecret string
param aadAppTenantId string
param aadAppIdUri string
param oauthConnectionName string = 'approver-sign-in'

module azureBot './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    botServiceName: resourceBaseName
    botDisplayName: botDisplayName
    endpoint: '${botEndpoint}/api/messages'
    aadAppClientId: aadAppClientId
    aadAppClientSecret: aadAppClientSecret
    aadAppTenantId: aadAppTenantId
    aadAppIdUri: aadAppIdUri
    oauthConnectionName: oauthConnectionName
  }
}
